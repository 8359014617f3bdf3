package io.weft.dataplane.lane;

import io.weft.registry.Lease;
import io.weft.routing.Route;
import io.weft.routing.RouteSnapshot;
import io.weft.routing.RouteTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * The leases as the packet path needs them, published as one immutable {@link Peers} snapshot by a single writer
 * (the control thread) and read without locks by the lanes, once per batch.
 */
public final class PeerTable {
    private final RouteTable<Peer> routes = new RouteTable<>();
    private final int port;
    private volatile Peers current = new Peers(RouteSnapshot.empty(), new int[0]);

    public PeerTable(final int port) {
        this.port = port;
    }

    /** Replaces every lease (ours included: it tells spoofed sources apart) and publishes the result. */
    void replaceAll(final Collection<Lease> leases) {
        final List<Route<Peer>> newRoutes = new ArrayList<>(leases.size());
        final int[] publicIps = new int[leases.size()];
        int i = 0;
        for (final Lease lease : leases) {
            final Peer peer = new Peer(lease.publicIp(), port, lease.partialChecksums());
            newRoutes.add(new Route<>(lease.subnet().address(), lease.subnet().length(), peer));
            publicIps[i++] = lease.publicIp();
        }
        routes.replaceAll(newRoutes);
        Arrays.sort(publicIps);
        current = new Peers(routes.publish(), publicIps);
    }

    Peers current() {
        return current;
    }

    /** One consistent view: the subnet routes and the sorted public addresses of every node holding a lease. */
    record Peers(RouteSnapshot<Peer> routes, int[] sortedPublicIps) {
        boolean isKnownSender(final int address) {
            return Arrays.binarySearch(sortedPublicIps, address) >= 0;
        }
    }
}
