package io.weft.registry;

import java.util.List;

/** Receives the lease set from a {@link LeaseRegistry}, always on the registry's thread. */
public interface LeaseListener {
    /**
     * The full current lease set (ours included), sorted by subnet: the first delivery, and each after the registry
     * read the set anew.
     *
     * @param observedNanos {@link System#nanoTime()} when the etcd event (or snapshot) that caused this change was
     *                      received; with several coalesced events, the earliest, so latency is never understated.
     */
    void onLeases(List<Lease> leases, long observedNanos);

    /**
     * Some leases changed since the last delivery, with the set after the change: a registry that knows what changed
     * calls this instead of {@link #onLeases}, and a listener that keeps its own state applies the change alone. By
     * default the whole set goes to {@link #onLeases}.
     *
     * @param observedNanos as for {@link #onLeases}.
     */
    default void onLeaseChanges(final LeaseChanges changes, final long observedNanos) {
        onLeases(changes.all(), observedNanos);
    }

    /** Our own lease vanished and was re-acquired; if the subnet changed the dataplane must restart. */
    void onOwnLeaseReacquired(Lease lease);

    /**
     * The network config the node runs with changed while it runs (see {@link NetworkConfigChange}: only what can be
     * applied live): called before the lease set read against it is delivered.
     */
    default void onNetworkConfig(final NetworkConfig applied) {
    }
}
