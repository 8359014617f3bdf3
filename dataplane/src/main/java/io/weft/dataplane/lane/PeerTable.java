package io.weft.dataplane.lane;

import io.weft.log.Log;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Prefix;
import io.weft.routing.RouteSnapshot;
import io.weft.routing.RouteTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leases as the packet path needs them, published as one immutable {@link Peers} snapshot by a single writer
 * (the control thread) and read without locks by the lanes, once per batch. A change is applied alone (the leases it
 * removes and adds, and the nodes they belong to), so that among thousands of nodes a change costs its leases' work
 * and a copy of the published arrays (a subnet that comes or goes also rebuilds the route trie).
 */
public final class PeerTable {
    /**
     * Nodes without a key logged one by one per change; the rest in one line, so that a weftd joining a cluster of
     * thousands of flanneld nodes, as authentication's default makes it meet them, does not log thousands of lines.
     */
    static final int WITHOUT_KEY_LOGGED_EACH = 8;
    private final RouteTable<Peer> routes = new RouteTable<>();
    private final int port;
    private final NodeAuth auth;
    private final PeerKeys keys;
    /** Every lease held, by subnet, with its key's name and its peer. */
    private final Map<Ipv4Prefix, Held> held = new HashMap<>();
    /** Each node address's leases in subnet order: one, unless a stale lease of the node remains beside it. */
    private final Map<Integer, List<Lease>> leasesByIp = new HashMap<>();
    /** The nodes' addresses in ascending order and, in the same order, their keys: what {@link Peers} publishes. */
    private int[] ips = new int[0];
    private PeerAuth[] authByIp = new PeerAuth[0];
    private PeerAuth[] otherAuthByIp = new PeerAuth[0];
    private int ipCount;
    /** With authentication on, the nodes that advertise no key (flanneld, older weft), each logged once. */
    private final Set<Integer> withoutKey = new HashSet<>();
    private volatile int withoutKeyCount;
    /** A change failed half-way: what is held may not match what is published, so the next whole set starts anew. */
    private boolean inconsistent;
    private volatile Peers current =
        new Peers(RouteSnapshot.empty(), new int[0], new PeerAuth[0], new PeerAuth[0], AuthMode.OFF);

    public PeerTable(final int port) {
        this(port, NodeAuth.OFF);
    }

    public PeerTable(final int port, final NodeAuth auth) {
        this(port, auth, 0);
    }

    /**
     * @param ownPublicIp ours: another node's lease that advertises our key (a copied key file) is then refused;
     *                    0 when unknown, which takes every lease with our key for ours.
     */
    public PeerTable(final int port, final NodeAuth auth, final int ownPublicIp) {
        this.port = port;
        this.auth = auth;
        this.keys = new PeerKeys(auth, ownPublicIp);
    }

    /**
     * Replaces every lease (ours included: it tells spoofed sources apart) with {@code newLeases}, applying what
     * differs; a later lease of the same subnet wins.
     */
    synchronized void replaceAll(final Collection<Lease> newLeases) {
        if (inconsistent) {
            forgetLeases();
        }
        final Map<Ipv4Prefix, Lease> wanted = new HashMap<>();
        for (final Lease lease : newLeases) {
            wanted.put(lease.subnet(), lease);
        }
        final List<Lease> gone = new ArrayList<>();
        for (final Held was : held.values()) {
            if (!was.lease.equals(wanted.get(was.lease.subnet()))) {
                gone.add(was.lease);
            }
        }
        // In the order given (the registry's is by subnet), so that one set's keys are met in the same order each time.
        final List<Lease> added = new ArrayList<>();
        for (final Lease lease : newLeases) {
            final Held was = held.get(lease.subnet());
            if (wanted.get(lease.subnet()) == lease && (was == null || !was.lease.equals(lease))) {
                added.add(lease);
            }
        }
        apply(gone, added);
        inconsistent = false;
    }

    /** Every lease forgotten, as if none had come; the keys and replay windows met stay. */
    private void forgetLeases() {
        held.clear();
        leasesByIp.clear();
        routes.replaceAll(List.of());
        ips = new int[0];
        authByIp = new PeerAuth[0];
        otherAuthByIp = new PeerAuth[0];
        ipCount = 0;
        withoutKey.clear();
        keys.forgetNames();
    }

    /**
     * Applies a change of the lease set and publishes the result: {@code gone} leases leave (one not held, or held
     * with another value, is ignored), {@code added} ones come (one replaces what its subnet held). Called by the
     * registry's thread, and by {@link #ownKeysChanged} from the rotation's. A change that fails leaves the table to
     * be put right by the next whole set ({@link #replaceAll}).
     */
    synchronized void apply(final Collection<Lease> gone, final Collection<Lease> added) {
        try {
            applyChange(gone, added);
        } catch (final RuntimeException e) {
            inconsistent = true;
            throw e;
        }
    }

    private void applyChange(final Collection<Lease> gone, final Collection<Lease> added) {
        final Set<Integer> touched = new HashSet<>();
        final Map<Ipv4Prefix, Lease> coming = new LinkedHashMap<>();
        if (keys.takeOwnKeys() && !held.isEmpty()) {
            // Our keys changed: every lease is taken again, so that its peer's traffic keys are agreed anew.
            for (final Held was : List.copyOf(held.values())) {
                coming.put(was.lease.subnet(), was.lease);
                remove(was, touched);
            }
        }
        for (final Lease lease : gone) {
            final Held was = held.get(lease.subnet());
            if (was != null && was.lease.equals(lease)) {
                remove(was, touched);
            }
            coming.remove(lease.subnet(), lease);
        }
        for (final Lease lease : added) {
            coming.put(lease.subnet(), lease);
        }
        final List<Lease> fresh = new ArrayList<>(coming.size());
        final List<PeerKeys.KeyEpoch> names = new ArrayList<>(coming.size());
        for (final Lease lease : coming.values()) {
            final Held was = held.get(lease.subnet());
            if (was != null && was.lease.equals(lease)) {
                continue;
            }
            if (was != null) {
                remove(was, touched);
            }
            final PeerKeys.KeyEpoch name = keys.nameOf(lease);
            if (name != null) {
                keys.named(name);
            }
            fresh.add(lease);
            names.add(name);
        }
        if (auth.mode().enabled()) {
            keys.agreeInParallel(fresh, names);
        }
        for (int i = 0; i < fresh.size(); i++) {
            add(fresh.get(i), names.get(i), touched);
        }
        int newlyWithoutKey = 0;
        for (final int publicIp : touched) {
            if (refreshNode(publicIp, newlyWithoutKey < WITHOUT_KEY_LOGGED_EACH)) {
                newlyWithoutKey++;
            }
        }
        if (newlyWithoutKey > WITHOUT_KEY_LOGGED_EACH) {
            Log.warn("and " + (newlyWithoutKey - WITHOUT_KEY_LOGGED_EACH) + " more nodes advertise no key ("
                + withoutKey.size() + " in all, weft_peers_without_key): " + withoutKeyConsequence("them"));
        }
        withoutKeyCount = withoutKey.size();
        current = new Peers(routes.publish(), Arrays.copyOf(ips, ipCount), Arrays.copyOf(authByIp, ipCount),
            Arrays.copyOf(otherAuthByIp, ipCount), auth.mode());
    }

    private void remove(final Held was, final Set<Integer> touched) {
        final Lease lease = was.lease;
        held.remove(lease.subnet());
        routes.remove(lease.subnet().address(), lease.subnet().length());
        if (was.keyName != null) {
            keys.unnamed(was.keyName);
        }
        final List<Lease> ofNode = leasesByIp.get(lease.publicIp());
        // Absent only after a change that failed half-way: the whole set handed over next puts it right.
        if (ofNode != null && ofNode.remove(lease) && ofNode.isEmpty()) {
            leasesByIp.remove(lease.publicIp());
        }
        touched.add(lease.publicIp());
    }

    private void add(final Lease lease, final PeerKeys.KeyEpoch name, final Set<Integer> touched) {
        route(lease, name);
        final List<Lease> ofNode = leasesByIp.computeIfAbsent(lease.publicIp(), ip -> new ArrayList<>(1));
        int at = 0;
        while (at < ofNode.size() && Integer.compareUnsigned(ofNode.get(at).subnet().address(),
            lease.subnet().address()) < 0) {
            at++;
        }
        ofNode.add(at, lease);
        touched.add(lease.publicIp());
    }

    /** Holds a lease and routes its subnet to its node, with the keys of its current key. */
    private void route(final Lease lease, final PeerKeys.KeyEpoch name) {
        final PeerAuth peerAuth = keys.authOf(lease, name);
        final Peer peer = new Peer(lease.publicIp(), port, lease.partialChecksums(), peerAuth,
            peerAuth == null ? 0 : peerKeyIdToWrite(lease.backendData(), peerAuth));
        held.put(lease.subnet(), new Held(lease, name, peer));
        routes.put(lease.subnet().address(), lease.subnet().length(), peer);
    }

    /**
     * Takes a node's leases again into the published arrays: its keys are those of its lease with the newest epoch
     * (two leases of one address, one stale: its datagrams are opened with the newer epoch's keys), the last such in
     * subnet order.
     *
     * @return true when the node has just become one that advertises no key (logged when {@code logIt}).
     */
    private boolean refreshNode(final int publicIp, final boolean logIt) {
        final List<Lease> ofNode = leasesByIp.get(publicIp);
        final int at = Arrays.binarySearch(ips, 0, ipCount, publicIp);
        if (ofNode == null) {
            withoutKey.remove(publicIp);
            if (at >= 0) {
                removeNodeAt(at);
            }
            return false;
        }
        if (auth.mode().enabled() && keys.forgetRotatedKeys(publicIp, newestWithKey(ofNode))) {
            // A key of the node was retired: a lease still naming it (a stale one) is refused under it from now on.
            for (final Lease lease : ofNode) {
                route(lease, held.get(lease.subnet()).keyName);
            }
        }
        PeerAuth newest = null;
        Lease newestLease = null;
        Lease keyless = null;
        for (final Lease lease : ofNode) {
            if (!lease.backendData().hasKey()) {
                keyless = keyless == null ? lease : keyless;
                continue;
            }
            final PeerAuth peerAuth = held.get(lease.subnet()).peer.auth();
            if (peerAuth != null && (newest == null || peerAuth.epoch >= newest.epoch)) {
                newest = peerAuth;
                newestLease = lease;
            }
        }
        final int index = at >= 0 ? at : insertNodeAt(-at - 1, publicIp);
        authByIp[index] = newest;
        otherAuthByIp[index] = newestLease == null ? null : keys.otherAuthOf(newestLease);
        if (keyless == null || !auth.mode().enabled()) {
            withoutKey.remove(publicIp);
            return false;
        }
        if (!withoutKey.add(publicIp)) {
            return false;
        }
        if (logIt) {
            Log.warn("node " + keyless + " advertises no key (flanneld, weft with --auth=off or from before"
                + " authentication): " + withoutKeyConsequence("it"));
        }
        return true;
    }

    /**
     * The node's lease with a key and the highest epoch; of equal epochs (a stale lease beside the one a hand-over
     * wrote) the last in subnet order, as for the keys published for the node, so that both judge by the same lease.
     */
    private static Lease newestWithKey(final List<Lease> ofNode) {
        Lease newest = null;
        for (final Lease lease : ofNode) {
            if (lease.backendData().hasKey() && (newest == null
                || lease.backendData().epoch() >= newest.backendData().epoch())) {
                newest = lease;
            }
        }
        return newest;
    }

    private int insertNodeAt(final int at, final int publicIp) {
        if (ipCount == ips.length) {
            final int grown = Math.max(8, ipCount * 2);
            ips = Arrays.copyOf(ips, grown);
            authByIp = Arrays.copyOf(authByIp, grown);
            otherAuthByIp = Arrays.copyOf(otherAuthByIp, grown);
        }
        System.arraycopy(ips, at, ips, at + 1, ipCount - at);
        System.arraycopy(authByIp, at, authByIp, at + 1, ipCount - at);
        System.arraycopy(otherAuthByIp, at, otherAuthByIp, at + 1, ipCount - at);
        ips[at] = publicIp;
        ipCount++;
        return at;
    }

    private void removeNodeAt(final int at) {
        System.arraycopy(ips, at + 1, ips, at, ipCount - at - 1);
        System.arraycopy(authByIp, at + 1, authByIp, at, ipCount - at - 1);
        System.arraycopy(otherAuthByIp, at + 1, otherAuthByIp, at, ipCount - at - 1);
        ipCount--;
        authByIp[ipCount] = null;
        otherAuthByIp[ipCount] = null;
    }

    private String withoutKeyConsequence(final String whom) {
        return auth.mode() == AuthMode.REQUIRED ? "--auth=required refuses their datagrams and sends " + whom + " none"
            : "datagrams to and from " + whom + " are not authenticated";
    }

    /** Our keys changed (a rotation's step): every traffic key is agreed again, the replay windows stay. */
    public void ownKeysChanged() {
        apply(List.of(), List.of());
    }

    /**
     * The id of the peer's key to write in what we seal for it: 0 ("your current key", all weft before key ids
     * understands) unless it advertises two keys, which only a weft that reads ids does.
     */
    private static int peerKeyIdToWrite(final BackendData data, final PeerAuth peerAuth) {
        return data.hasOtherKey() ? peerAuth.keyId : 0;
    }

    /** A lease held, with the name of its current key and epoch ({@link PeerKeys#nameOf}) and its peer. */
    private record Held(Lease lease, PeerKeys.KeyEpoch keyName, Peer peer) {
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
     * same order, the keys of those that authenticate with us (null for the others) and, of those that rotate, the
     * other key.
     */
    record Peers(RouteSnapshot<Peer> routes, int[] sortedPublicIps, PeerAuth[] authBySortedIp,
        PeerAuth[] otherAuthBySortedIp, AuthMode mode) {
        boolean isKnownSender(final int address) {
            return Arrays.binarySearch(sortedPublicIps, address) >= 0;
        }

        /** The keys of the node at {@code address}, or null when it is unknown or does not authenticate with us. */
        PeerAuth authOf(final int address) {
            final int index = Arrays.binarySearch(sortedPublicIps, address);
            return index < 0 ? null : authBySortedIp[index];
        }

        /**
         * The keys of the node at {@code address} for its key {@code keyId} (0: its current one), or null when it
         * advertises no such key.
         */
        PeerAuth authOf(final int address, final int keyId) {
            final PeerAuth current = authOf(address);
            return current == null ? null : authOf(address, current, keyId);
        }

        /**
         * As {@link #authOf(int, int)}, given the node's current keys ({@link #authOf(int)}): searched again only for
         * its other key, while it rotates.
         */
        PeerAuth authOf(final int address, final PeerAuth current, final int keyId) {
            if (keyId == 0 || keyId == current.keyId) {
                return current;
            }
            final int index = Arrays.binarySearch(sortedPublicIps, address);
            final PeerAuth other = index < 0 ? null : otherAuthBySortedIp[index];
            return other != null && other.keyId == keyId ? other : null;
        }
    }
}
