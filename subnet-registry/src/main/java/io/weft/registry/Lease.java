package io.weft.registry;

import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;

/**
 * A node's subnet lease as flannel stores it: the pod subnet and the node's underlay address (PublicIP), and whether
 * the node's weftd takes inner TCP and UDP packets whose checksum is left partial (see {@link LeaseCodec}): false for
 * flanneld and for a weftd without TUN offloads.
 */
public record Lease(Ipv4Prefix subnet, int publicIp, boolean partialChecksums) {
    /** A lease as flanneld writes it. */
    public Lease(final Ipv4Prefix subnet, final int publicIp) {
        this(subnet, publicIp, false);
    }

    /** flannel's key name for a subnet: "10.244.1.0-24". */
    public String keyName() {
        return Ipv4Addresses.format(subnet.address()) + "-" + subnet.length();
    }

    @Override
    public String toString() {
        return subnet + " -> " + Ipv4Addresses.format(publicIp) + (partialChecksums ? " (partial checksums)" : "");
    }
}
