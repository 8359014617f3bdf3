package io.weft.registry;

import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;

/**
 * A node's subnet lease as flannel stores it: the pod subnet and the node's underlay address (PublicIP), and what
 * its weftd says of itself in {@link BackendData} (nothing, for flanneld).
 */
public record Lease(Ipv4Prefix subnet, int publicIp, BackendData backendData) {
    public Lease {
        if (backendData == null) {
            throw new IllegalArgumentException("backendData: BackendData.NONE, not null");
        }
    }

    /** A lease as flanneld writes it. */
    public Lease(final Ipv4Prefix subnet, final int publicIp) {
        this(subnet, publicIp, BackendData.NONE);
    }

    public Lease(final Ipv4Prefix subnet, final int publicIp, final boolean partialChecksums) {
        this(subnet, publicIp, BackendData.partialChecksums(partialChecksums));
    }

    /** Whether the node's weftd takes inner TCP and UDP packets whose checksum is left partial (see BackendData). */
    public boolean partialChecksums() {
        return backendData.partialChecksums();
    }

    /** flannel's key name for a subnet: "10.244.1.0-24". */
    public String keyName() {
        return Ipv4Addresses.format(subnet.address()) + "-" + subnet.length();
    }

    @Override
    public String toString() {
        return subnet + " -> " + Ipv4Addresses.format(publicIp) + (partialChecksums() ? " (partial checksums)" : "") +
            (backendData.hasKey() ? " (authenticates)" : "");
    }
}
