package io.weft.dataplane.lane;

import io.weft.registry.Lease;
import io.weft.registry.LeaseListener;
import io.weft.registry.Log;
import io.weft.routing.Ipv4Prefix;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Lease events to routes: the registry's thread calls it with the whole lease set, it rebuilds the peer table off
 * the packet path and publishes it as one snapshot (so it is the table's single writer), and records how long the
 * change took from the etcd event to the route being live.
 */
public final class RouteUpdater implements LeaseListener {
    private static final long MAX_TRACKED_NS = TimeUnit.MINUTES.toNanos(10);

    private final PeerTable peers;
    private final Ipv4Prefix ownSubnet;
    private final Runnable onOwnSubnetLost;
    private final CountDownLatch firstSnapshot = new CountDownLatch(1);
    private final SynchronizedHistogram propagationNs = new SynchronizedHistogram(MAX_TRACKED_NS, 3);
    private volatile int leasesKnown;

    /** @param onOwnSubnetLost called when the registry re-acquired our lease with another subnet. */
    public RouteUpdater(final PeerTable peers, final Ipv4Prefix ownSubnet, final Runnable onOwnSubnetLost) {
        this.peers = peers;
        this.ownSubnet = ownSubnet;
        this.onOwnSubnetLost = onOwnSubnetLost;
    }

    @Override
    public void onLeases(final List<Lease> leases, final long observedNanos) {
        peers.replaceAll(leases);
        leasesKnown = leases.size();
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
            Log.info("our lease " + lease + " was deleted and re-acquired");
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
        return text.toString();
    }
}
