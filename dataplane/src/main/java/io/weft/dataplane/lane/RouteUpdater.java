package io.weft.dataplane.lane;

import io.weft.log.Log;
import io.weft.log.OncePerKeyLog;
import io.weft.registry.Lease;
import io.weft.registry.LeaseChanges;
import io.weft.registry.LeaseListener;
import io.weft.registry.RegistryStats;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Lease events to routes: the registry's thread calls it with the whole lease set or with what changed in it, it
 * applies that to the peer table off the packet path and publishes it as one snapshot (so it is the table's single
 * writer), and records how long the change took from the etcd event to the route being live. Another node's lease that
 * carries this node's own public IP is refused (its subnet's traffic would come back to our own socket): counted as a
 * skipped entry, logged once.
 */
public final class RouteUpdater implements LeaseListener {
    private static final long MAX_TRACKED_NS = TimeUnit.MINUTES.toNanos(10);

    private final PeerTable peers;
    private final Ipv4Prefix ownSubnet;
    private final int ownPublicIp;
    private final RegistryStats stats;
    private final Runnable onOwnSubnetLost;
    private final OncePerKeyLog refusedLog = new OncePerKeyLog();
    /** The keys refused in the set, so that a lease is counted once per time it appears, not per delivery. */
    private Set<String> refused = new HashSet<>();
    private final CountDownLatch firstSnapshot = new CountDownLatch(1);
    private final SynchronizedHistogram propagationNs = new SynchronizedHistogram(MAX_TRACKED_NS, 3);
    private volatile int leasesKnown;

    /**
     * @param ownLease        ours: the only lease that may carry our public IP.
     * @param stats           where refused leases are counted.
     * @param onOwnSubnetLost called when the registry re-acquired our lease with another subnet.
     */
    public RouteUpdater(final PeerTable peers, final Lease ownLease, final RegistryStats stats,
        final Runnable onOwnSubnetLost) {
        this.peers = peers;
        this.ownSubnet = ownLease.subnet();
        this.ownPublicIp = ownLease.publicIp();
        this.stats = stats;
        this.onOwnSubnetLost = onOwnSubnetLost;
    }

    @Override
    public void onLeases(final List<Lease> leases, final long observedNanos) {
        final List<Lease> accepted = new ArrayList<>(leases.size());
        final Set<String> refusedNow = new HashSet<>();
        for (final Lease lease : leases) {
            if (isRefused(lease)) {
                refuse(lease, refusedNow);
            } else {
                accepted.add(lease);
            }
        }
        for (final String gone : refused) {
            if (!refusedNow.contains(gone)) {
                refusedLog.clear(gone);
            }
        }
        refused = refusedNow;
        peers.replaceAll(accepted);
        published(accepted.size(), observedNanos);
    }

    @Override
    public void onLeaseChanges(final LeaseChanges changes, final long observedNanos) {
        final List<Lease> added = new ArrayList<>(changes.added().size());
        final Set<String> refusedNow = new HashSet<>();
        for (final Lease lease : changes.added()) {
            if (isRefused(lease)) {
                refuse(lease, refusedNow);
            } else {
                added.add(lease);
            }
        }
        final List<Lease> gone = new ArrayList<>(changes.gone().size());
        for (final Lease lease : changes.gone()) {
            if (!isRefused(lease)) {
                gone.add(lease);
            } else if (!refusedNow.contains(lease.keyName())) {
                refused.remove(lease.keyName());
                refusedLog.clear(lease.keyName());
            }
        }
        refused.addAll(refusedNow);
        peers.apply(gone, added);
        published(changes.size() - refused.size(), observedNanos);
    }

    private boolean isRefused(final Lease lease) {
        return lease.publicIp() == ownPublicIp && !lease.subnet().equals(ownSubnet);
    }

    /** Counted when it was not refused already: a lease once per time it appears. */
    private void refuse(final Lease lease, final Set<String> refusedNow) {
        final String key = lease.keyName();
        refusedNow.add(key);
        if (!refused.contains(key)) {
            stats.onSkippedEntry();
        }
        refusedLog.warn(key, "skipping the lease " + lease + ": it carries this node's own public IP " +
            Ipv4Addresses.format(ownPublicIp) + ", whose subnet is " + ownSubnet);
    }

    private void published(final int leases, final long observedNanos) {
        leasesKnown = leases;
        propagationNs.recordValue(Math.min(MAX_TRACKED_NS, Math.max(0, System.nanoTime() - observedNanos)));
        firstSnapshot.countDown();
    }

    @Override
    public void onOwnLeaseReacquired(final Lease lease) {
        if (!lease.subnet().equals(ownSubnet)) {
            Log.warn("our lease came back as " + lease + " instead of " + ownSubnet +
                ": flannel0 and the pods' addresses belong to the old subnet, so weftd exits to be restarted");
            onOwnSubnetLost.run();
        } else {
            Log.info("our lease " + lease + " was lost and acquired again with the same subnet");
        }
    }

    /** Waits for the first lease set, so forwarding never starts with an empty table. */
    public boolean awaitFirstSnapshot(final long timeout, final TimeUnit unit) throws InterruptedException {
        return firstSnapshot.await(timeout, unit);
    }

    /** Prometheus summary of event-to-route-live latency, plus the number of leases in the table. */
    public String toPrometheusText() {
        final StringBuilder text = new StringBuilder(512);
        text.append("# TYPE weft_route_propagation_seconds summary\n");
        for (final double quantile : new double[] {0.5, 0.9, 0.99, 1.0}) {
            text.append("weft_route_propagation_seconds{quantile=\"").append(quantile).append("\"} ")
                .append(propagationNs.getValueAtPercentile(quantile * 100) / 1e9).append('\n');
        }
        text.append("weft_route_propagation_seconds_count ").append(propagationNs.getTotalCount()).append('\n');
        text.append("# TYPE weft_leases_known gauge\nweft_leases_known ").append(leasesKnown).append('\n');
        text.append("# TYPE weft_peers_without_key gauge\nweft_peers_without_key ").append(peers.peersWithoutKey())
            .append('\n');
        return text.toString();
    }
}
