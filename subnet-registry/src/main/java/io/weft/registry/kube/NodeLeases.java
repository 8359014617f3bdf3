package io.weft.registry.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.registry.LeaseCodec;
import io.weft.registry.NetworkConfig;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A node as a lease, read as flanneld's kube subnet manager reads it: a node annotated kube-subnet-manager=true,
 * the subnet its IPv4 podCIDR, the PublicIP its public-ip annotation; and only nodes whose backend-type is udp, since
 * weft can reach no other (a vxlan node takes no flannel udp datagrams). weftd's own BackendData
 * ({@link BackendData}) is read as {@link LeaseCodec} reads it from etcd.
 */
final class NodeLeases {
    static final String BACKEND_TYPE = "udp";

    /** A node's lease, or why it has none (one line, for the log). */
    record Decoded(Lease lease, String skipReason) {
    }

    private NodeLeases() {
    }

    static Decoded decode(final Node node, final NodeAnnotations names, final NetworkConfig network) {
        final Map<String, String> annotations = node.getMetadata().getAnnotations();
        // As flanneld: only a node a kube subnet manager annotated is a lease.
        if (annotations == null || !"true".equals(annotations.get(names.kubeSubnetManager()))) {
            return skip("it has no " + names.kubeSubnetManager() + "=true annotation (no flanneld or weftd in " +
                "kube mode has run there yet)");
        }
        final String backendType = annotations.get(names.backendType());
        if (backendType == null) {
            return skip("it has no " + names.backendType() + " annotation");
        }
        if (!BACKEND_TYPE.equals(backendType)) {
            return skip("its backend type is " + backendType + ": weft speaks flannel's udp backend only");
        }
        final Ipv4Prefix subnet;
        try {
            subnet = podCidr(node);
        } catch (final IllegalArgumentException e) {
            return skip(e.getMessage());
        }
        if (subnet == null) {
            return skip("it has no IPv4 podCIDR");
        }
        if (!inside(network, subnet)) {
            return skip("its podCIDR " + subnet + " is not inside Network " + network.network());
        }
        final String publicIp = annotations.get(names.publicIp());
        if (publicIp == null || publicIp.isEmpty()) {
            return skip("it has no " + names.publicIp() + " annotation");
        }
        final int address;
        try {
            address = Ipv4Addresses.parse(publicIp);
        } catch (final IllegalArgumentException e) {
            return skip("its public IP '" + publicIp + "' is not an IPv4 address");
        }
        final String unreachable = LeaseCodec.unreachable(address);
        if (unreachable != null) {
            return skip("its public IP " + publicIp + " is " + unreachable);
        }
        return new Decoded(new Lease(subnet, address, BackendData.parse(annotations.get(names.backendData()))), null);
    }

    /**
     * Whether {@link #decode} reads the same from both versions of a node: its lease annotations and pod CIDRs. Most
     * updates of a node are the kubelet's status (conditions, heartbeats, images) and change neither.
     */
    static boolean sameLeaseInputs(final Node before, final Node after, final NodeAnnotations names) {
        final Map<String, String> was = annotations(before);
        final Map<String, String> is = annotations(after);
        for (final String name : List.of(names.kubeSubnetManager(), names.backendType(), names.backendData(),
            names.publicIp())) {
            if (!Objects.equals(was.get(name), is.get(name))) {
                return false;
            }
        }
        final NodeSpec a = before.getSpec();
        final NodeSpec b = after.getSpec();
        return a == null || b == null ? a == b
            : Objects.equals(a.getPodCIDR(), b.getPodCIDR()) && Objects.equals(a.getPodCIDRs(), b.getPodCIDRs());
    }

    private static Map<String, String> annotations(final Node node) {
        final Map<String, String> annotations = node.getMetadata() == null ? null : node.getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    /**
     * The node's IPv4 pod subnet: the IPv4 one of {@code spec.podCIDRs} (dual stack), else {@code spec.podCIDR};
     * null when it has none yet. Host bits are masked off, as Go's ParseCIDR does.
     *
     * @throws IllegalArgumentException when the podCIDR cannot be read.
     */
    static Ipv4Prefix podCidr(final Node node) {
        if (node.getSpec() == null) {
            return null;
        }
        final List<String> cidrs = node.getSpec().getPodCIDRs();
        if (cidrs != null && !cidrs.isEmpty()) {
            for (final String cidr : cidrs) {
                if (!cidr.contains(":")) {
                    return parse(cidr);
                }
            }
            return null;
        }
        final String cidr = node.getSpec().getPodCIDR();
        return cidr == null || cidr.isEmpty() || cidr.contains(":") ? null : parse(cidr);
    }

    /** As flanneld: a podCIDR is usable when the Network holds it whole, whatever the SubnetLen says. */
    static boolean inside(final NetworkConfig network, final Ipv4Prefix subnet) {
        return subnet.length() >= network.network().length() && network.network().contains(subnet.address());
    }

    /** The backend-data weftd writes: flanneld's udp backend writes "null"; weft adds what it says of itself. */
    static String backendData(final BackendData backendData) {
        return backendData.toJson();
    }

    private static Ipv4Prefix parse(final String cidr) {
        final int slash = cidr.indexOf('/');
        try {
            final int length = Integer.parseInt(cidr.substring(slash + 1));
            return new Ipv4Prefix(Ipv4Addresses.parse(cidr.substring(0, slash)) & Ipv4Addresses.mask(length),
                length);
        } catch (final RuntimeException e) {
            throw new IllegalArgumentException("its podCIDR '" + cidr + "' is not an IPv4 CIDR");
        }
    }

    private static Decoded skip(final String reason) {
        return new Decoded(null, reason);
    }
}
