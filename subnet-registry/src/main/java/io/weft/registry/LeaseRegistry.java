package io.weft.registry;

import java.io.IOException;

import io.weft.routing.Ipv4Prefix;

/** Where weftd gets the network config, its own subnet lease and every node's lease: etcd as flannel, or a file. */
public interface LeaseRegistry extends AutoCloseable {
    /** Blocks until {@code <prefix>/config} exists and is valid; logs (once per distinct problem) what is wrong. */
    NetworkConfig awaitNetworkConfig() throws InterruptedException;

    /**
     * Our lease: the one whose PublicIP is ours; else {@code previousSubnet} (from the old subnet.env, may be null)
     * if free; else a random free subnet among the first 100 free ones. Kept alive from then on.
     *
     * @param backendData what a lease we write says of us (see {@link BackendData}). A lease file or a reservation
     *     says it for us.
     * @throws IOException when no lease can be had (none free, none in the file, access refused), with the cause.
     */
    Lease acquire(int publicIp, Ipv4Prefix previousSubnet, BackendData backendData)
        throws IOException, InterruptedException;

    default Lease acquire(final int publicIp, final Ipv4Prefix previousSubnet, final boolean partialChecksums)
        throws IOException, InterruptedException {
        return acquire(publicIp, previousSubnet, BackendData.partialChecksums(partialChecksums));
    }

    /**
     * {@link #acquire(int, Ipv4Prefix, BackendData)} in a weftd that takes over from a running one on this node: when
     * our key is still attached to {@code predecessorLeaseId} (the predecessor's {@link #ownLeaseId()}) and that lease
     * is alive, it is adopted as it is, without writing, and renewed from now on; the other nodes see no change, and
     * the predecessor, which stops without revoking, has nothing to take back. When it cannot be adopted, throws naming
     * why, and the hand-over must fail: a plain acquire would move our key away from the running weftd, which would
     * take it back. Registries without etcd leases ignore the hint.
     */
    default Lease acquire(final int publicIp, final Ipv4Prefix previousSubnet, final BackendData backendData,
        final long predecessorLeaseId) throws IOException, InterruptedException {
        return acquire(publicIp, previousSubnet, backendData);
    }

    default Lease acquire(final int publicIp, final Ipv4Prefix previousSubnet, final boolean partialChecksums,
        final long predecessorLeaseId) throws IOException, InterruptedException {
        return acquire(publicIp, previousSubnet, BackendData.partialChecksums(partialChecksums), predecessorLeaseId);
    }

    /**
     * Says {@code backendData} in our lease from now on (a key rotation's steps), as every later write of our lease
     * does too; returns at once, the write is retried until done. Registries that cannot carry keys (a lease file)
     * ignore it.
     */
    default void advertise(final BackendData backendData) {
    }

    /** The id of the etcd lease that keeps our key alive, for a successor to adopt; 0 when there is none. */
    default long ownLeaseId() {
        return 0;
    }

    /** {@link #acquire(int, Ipv4Prefix, BackendData)} as flanneld: the lease value says nothing of checksums. */
    default Lease acquire(final int publicIp, final Ipv4Prefix previousSubnet)
        throws IOException, InterruptedException {
        return acquire(publicIp, previousSubnet, BackendData.NONE);
    }

    /**
     * Starts delivering the complete set of valid leases to {@code listener} whenever it changes, from a registry
     * thread; the first call is the snapshot. Bursts are coalesced: the listener sees the latest state.
     */
    void watch(LeaseListener listener);

    /** Counters, live: readable from any thread at any time. */
    RegistryStats stats();

    /** Stops watching and renewing; the lease itself is kept, so a restart reuses the subnet. */
    @Override
    void close();
}
