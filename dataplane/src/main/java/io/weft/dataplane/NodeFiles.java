package io.weft.dataplane;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;

/**
 * The files other programs read from weftd, as flannel writes them: {@code subnet.env} for tools and scripts, and
 * the CNI conflist that makes the bridge plugin give pods addresses from this node's subnet. Written atomically.
 */
final class NodeFiles
{
    static final String CONFLIST_NAME = "10-weft.conflist";
    static final String CNI_NETWORK_NAME = "cbr0";

    private NodeFiles()
    {
    }

    /** FLANNEL_SUBNET is the subnet's first host address (the cni0 gateway) with the subnet's length. */
    static String subnetEnv(final Ipv4Prefix network, final Ipv4Prefix subnet, final int mtu, final boolean ipMasq)
    {
        return "FLANNEL_NETWORK=" + network + "\n" +
            "FLANNEL_SUBNET=" + Ipv4Addresses.format(subnet.address() + 1) + "/" + subnet.length() + "\n" +
            "FLANNEL_MTU=" + mtu + "\n" +
            "FLANNEL_IPMASQ=" + ipMasq + "\n";
    }

    /**
     * The conflist flannel's CNI plugin would delegate: bridge cni0 as gateway and default gateway, hairpin on,
     * ipMasq when weftd does not masquerade itself, host-local IPAM over the node subnet with a route to the
     * whole network, then portmap.
     */
    static String cniConflist(final Ipv4Prefix network, final Ipv4Prefix subnet, final int mtu, final boolean ipMasq)
    {
        final ObjectMapper json = new ObjectMapper();
        final ObjectNode list = json.createObjectNode();
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
        return list.toPrettyString() + "\n";
    }

    /** Replaces {@code file} with {@code content} through a rename, so readers never see half a file. */
    static void writeAtomically(final Path file, final String content) throws IOException
    {
        final Path directory = file.toAbsolutePath().getParent();
        try
        {
            Files.createDirectories(directory);
            final Path temporary = Files.createTempFile(directory, "." + file.getFileName(), ".tmp");
            Files.writeString(temporary, content);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException e)
        {
            throw new IOException("cannot write " + file + ": " + e, e);
        }
    }
}
