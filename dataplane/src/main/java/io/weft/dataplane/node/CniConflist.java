package io.weft.dataplane.node;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.registry.Json;
import io.weft.routing.Ipv4Prefix;

/** The CNI conflist weftd writes so that the bridge plugin gives pods addresses from this node's subnet. */
final class CniConflist {
    static final String FILE_NAME = "10-weft.conflist";
    static final String CNI_NETWORK_NAME = "cbr0";

    private CniConflist() {
    }

    /**
     * The conflist flannel's CNI plugin would delegate: bridge cni0 as gateway and default gateway, hairpin on,
     * ipMasq when weftd does not masquerade itself, host-local IPAM over the node subnet with a route to the
     * whole network, then portmap.
     */
    static String render(final Ipv4Prefix network, final Ipv4Prefix subnet, final int mtu, final boolean ipMasq) {
        final ObjectNode list = Json.object();
        list.put("name", CNI_NETWORK_NAME);
        list.put("cniVersion", "0.3.1");
        final ArrayNode plugins = list.putArray("plugins");
        final ObjectNode bridge = plugins.addObject();
        bridge.put("type", "bridge");
        bridge.put("bridge", "cni0");
        bridge.put("isGateway", true);
        bridge.put("isDefaultGateway", true);
        bridge.put("hairpinMode", true);
        bridge.put("ipMasq", !ipMasq);
        bridge.put("mtu", mtu);
        final ObjectNode ipam = bridge.putObject("ipam");
        ipam.put("type", "host-local");
        ipam.putArray("ranges").addArray().addObject()
            .put("subnet", subnet.toString());
        ipam.putArray("routes").addObject().put("dst", network.toString());
        final ObjectNode portmap = plugins.addObject();
        portmap.put("type", "portmap");
        portmap.putObject("capabilities").put("portMappings", true);
        return Json.writePretty(list) + "\n";
    }
}
