package io.weft.dataplane.lane;

import io.weft.log.Log;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.routing.Route;
import io.weft.routing.RouteSnapshot;
import io.weft.routing.RouteTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leases as the packet path needs them, published as one immutable {@link Peers} snapshot by a single writer
 * (the control thread) and read without locks by the lanes, once per batch.
 */
public final class PeerTable {
    private final RouteTable<Peer> routes = new RouteTable<>();
    private final int port;
    private final NodeAuth auth;
    /**
     * Every peer key and epoch met, for the life of the process: one key agreement and one set of replay windows for
     * each, however its lease comes and goes. A key seen with a newer epoch drops its older ones.
     */
    private final Map<String, PeerAuth> authByKey = new HashMap<>();
    /** With authentication on, the nodes that advertise no key (flanneld, older weft), each logged once. */
    private Set<Integer> withoutKey = Set.of();
    private volatile int withoutKeyCount;
    private volatile Peers current = new Peers(RouteSnapshot.empty(), new int[0], new PeerAuth[0], AuthMode.OFF);

    public PeerTable(final int port) {
        this(port, NodeAuth.OFF);
    }

    public PeerTable(final int port, final NodeAuth auth) {
        this.port = port;
        this.auth = auth;
    }

    /**
     * Replaces every lease (ours included: it tells spoofed sources apart) and publishes the result; called by one
     * control thread.
     */
    void replaceAll(final Collection<Lease> leases) {
        final List<Route<Peer>> newRoutes = new ArrayList<>(leases.size());
        final Map<Integer, PeerAuth> newAuth = new HashMap<>();
        final Map<Integer, Long> epochOfIp = new HashMap<>();
        final Set<Integer> newWithoutKey = new HashSet<>();
        for (final Lease lease : leases) {
            if (auth.mode().enabled() && !lease.backendData().hasKey()) {
                newWithoutKey.add(lease.publicIp());
                if (!withoutKey.contains(lease.publicIp())) {
                    Log.warn("node " + lease + " advertises no key (flanneld, or weft without --auth): " +
                        (auth.mode() == AuthMode.REQUIRED ? "--auth=required refuses its datagrams and sends it none"
                            : "datagrams to and from it are not authenticated"));
                }
            }
            final PeerAuth peerAuth = peerAuth(lease);
            // Two leases of one address (one stale): its datagrams are opened with the newer epoch's keys.
            if (peerAuth != null && peerAuth.epoch >= epochOfIp.getOrDefault(lease.publicIp(), Long.MIN_VALUE)) {
                newAuth.put(lease.publicIp(), peerAuth);
                epochOfIp.put(lease.publicIp(), peerAuth.epoch);
            }
            final Peer peer = new Peer(lease.publicIp(), port, lease.partialChecksums(), peerAuth);
            newRoutes.add(new Route<>(lease.subnet().address(), lease.subnet().length(), peer));
        }
        final int[] publicIps = leases.stream().mapToInt(Lease::publicIp).sorted().toArray();
        final PeerAuth[] auths = new PeerAuth[publicIps.length];
        for (int i = 0; i < publicIps.length; i++) {
            auths[i] = newAuth.get(publicIps[i]);
        }
        routes.replaceAll(newRoutes);
        withoutKey = newWithoutKey;
        withoutKeyCount = newWithoutKey.size();
        current = new Peers(routes.publish(), publicIps, auths, auth.mode());
    }

    private PeerAuth peerAuth(final Lease lease) {
        final BackendData data = lease.backendData();
        if (!data.hasKey()) {
            return auth.peerAuth(lease);
        }
        final String cacheKey = PeerAuth.cacheKey(data.key(), data.epoch());
        final PeerAuth known = authByKey.get(cacheKey);
        if (known != null) {
            return known;
        }
        final PeerAuth made = auth.peerAuth(lease);
        if (made != null) {
            authByKey.values().removeIf(older -> older.key.equals(data.key()) && older.epoch != data.epoch());
            authByKey.put(cacheKey, made);
        }
        return made;
    }

    Peers current() {
        return current;
    }

    /** With authentication on, how many nodes advertise no key; 0 when it is off. */
    int peersWithoutKey() {
        return withoutKeyCount;
    }

    /**
     * One consistent view: the subnet routes, the sorted public addresses of every node holding a lease and, in the
     * same order, the keys of those that authenticate with us (null for the others).
     */
    record Peers(RouteSnapshot<Peer> routes, int[] sortedPublicIps, PeerAuth[] authBySortedIp, AuthMode mode) {
        boolean isKnownSender(final int address) {
            return Arrays.binarySearch(sortedPublicIps, address) >= 0;
        }

        /** The keys of the node at {@code address}, or null when it is unknown or does not authenticate with us. */
        PeerAuth authOf(final int address) {
            final int index = Arrays.binarySearch(sortedPublicIps, address);
            return index < 0 ? null : authBySortedIp[index];
        }
    }
}
