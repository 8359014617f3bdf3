package io.weft.dataplane.lane;

import io.weft.auth.NodeKey;
import io.weft.log.Log;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Route;
import io.weft.routing.RouteSnapshot;
import io.weft.routing.RouteTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The leases as the packet path needs them, published as one immutable {@link Peers} snapshot by a single writer
 * (the control thread) and read without locks by the lanes, once per batch.
 */
public final class PeerTable {
    /**
     * Nodes without a key logged one by one per lease set; the rest in one line, so that a weftd joining a cluster of
     * thousands of flanneld nodes, as authentication's default makes it meet them, does not log thousands of lines.
     */
    static final int WITHOUT_KEY_LOGGED_EACH = 8;
    /** Fewer new peer keys than this are agreed on one by one: spreading them over the cores would cost more. */
    static final int PARALLEL_AGREEMENTS_FROM = 16;
    private final RouteTable<Peer> routes = new RouteTable<>();
    private final int port;
    private final NodeAuth auth;
    private final int ownPublicIp;
    /** The other nodes seen advertising our key, each logged once. */
    private final Set<Integer> withOurKey = new HashSet<>();
    /**
     * The replay windows of every peer key and epoch met, for the life of the process, however its lease comes and
     * goes. A key seen with a newer epoch drops its older ones; a key its node no longer advertises (rotated away
     * from, under the same epoch) is dropped too.
     */
    private final Map<String, WindowsOf> windowsByKey = new HashMap<>();
    /** Which of {@link #windowsByKey} holds a peer key's windows: one epoch's at a time, found with no scan. */
    private final Map<String, String> windowsNameByPeerKey = new HashMap<>();
    /** The traffic keys of every peer key and epoch in the last lease set, for {@link #keysFor}'s set of our keys. */
    private final Map<String, PeerAuth> authByKey = new HashMap<>();
    private NodeAuth.OwnKeys keysFor;
    /** The peer keys and epochs {@link #forgetRotatedKeys} dropped: never opened under again. */
    private final Set<String> retired = new HashSet<>();
    /**
     * Each lease's current key and epoch as the maps above name them, one string per backend-data object, kept from
     * one lease set to the next: the registry hands the unchanged leases' objects again, so a rebuild among thousands
     * of weft nodes neither makes a name per lease nor hashes or compares it in full. Two maps, swapped and cleared.
     */
    private Map<BackendData, String> keyNames = new IdentityHashMap<>();
    private Map<BackendData, String> nextKeyNames = new IdentityHashMap<>();
    /** The last lease set, built again when our own keys change. */
    private Collection<Lease> leases = List.of();
    /** With authentication on, the nodes that advertise no key (flanneld, older weft), each logged once. */
    private Set<Integer> withoutKey = Set.of();
    private volatile int withoutKeyCount;
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
        this.ownPublicIp = ownPublicIp;
    }

    /**
     * Replaces every lease (ours included: it tells spoofed sources apart) and publishes the result; called by the
     * registry's thread, and by {@link #ownKeysChanged} from the rotation's.
     */
    synchronized void replaceAll(final Collection<Lease> newLeases) {
        leases = List.copyOf(newLeases);
        final NodeAuth.OwnKeys ours = auth.keys();
        if (ours != keysFor) {
            authByKey.clear();
            keysFor = ours;
        }
        if (auth.mode().enabled()) {
            nameKeys();
            agreeInParallel(ours);
        }
        final List<Route<Peer>> newRoutes = new ArrayList<>(leases.size());
        final Map<Integer, PeerAuth> newAuth = new HashMap<>();
        final Map<Integer, PeerAuth> newOtherAuth = new HashMap<>();
        final Set<Integer> newWithoutKey = new HashSet<>();
        int newlyWithoutKey = 0;
        for (final Lease lease : leases) {
            final BackendData data = lease.backendData();
            if (auth.mode().enabled() && !data.hasKey()) {
                if (newWithoutKey.add(lease.publicIp()) && !withoutKey.contains(lease.publicIp())
                    && newlyWithoutKey++ < WITHOUT_KEY_LOGGED_EACH) {
                    Log.warn("node " + lease + " advertises no key (flanneld, weft with --auth=off or from before"
                        + " authentication): " + withoutKeyConsequence("it"));
                }
            }
            final PeerAuth peerAuth = !data.hasKey() || !auth.mode().enabled() ? null
                : isCopyOfOurKey(lease, ours) ? copyOfOurKey(lease)
                : peerAuth(keyNames.get(data), lease.publicIp(), data.key(), data.epoch(), ours);
            // Two leases of one address (one stale): its datagrams are opened with the newer epoch's keys.
            final PeerAuth known = newAuth.isEmpty() ? null : newAuth.get(lease.publicIp());
            if (peerAuth != null && (known == null || peerAuth.epoch >= known.epoch)) {
                newAuth.put(lease.publicIp(), peerAuth);
                newOtherAuth.remove(lease.publicIp());
                if (data.hasOtherKey()) {
                    final PeerAuth other = peerAuth(lease.publicIp(), data.otherKey(), data.epoch(), ours);
                    if (other != null) {
                        newOtherAuth.put(lease.publicIp(), other);
                    }
                }
            }
            final Peer peer = new Peer(lease.publicIp(), port, lease.partialChecksums(), peerAuth,
                peerAuth == null ? 0 : peerKeyIdToWrite(data, peerAuth));
            newRoutes.add(new Route<>(lease.subnet().address(), lease.subnet().length(), peer));
        }
        forgetRotatedKeys(leases);
        final int[] publicIps = leases.stream().mapToInt(Lease::publicIp).sorted().toArray();
        final PeerAuth[] auths = new PeerAuth[publicIps.length];
        final PeerAuth[] otherAuths = new PeerAuth[publicIps.length];
        for (int i = 0; i < publicIps.length && !newAuth.isEmpty(); i++) {
            auths[i] = newAuth.get(publicIps[i]);
            otherAuths[i] = newOtherAuth.isEmpty() ? null : newOtherAuth.get(publicIps[i]);
        }
        if (newlyWithoutKey > WITHOUT_KEY_LOGGED_EACH) {
            Log.warn("and " + (newlyWithoutKey - WITHOUT_KEY_LOGGED_EACH) + " more nodes advertise no key ("
                + newWithoutKey.size() + " in all, weft_peers_without_key): " + withoutKeyConsequence("them"));
        }
        routes.replaceAll(newRoutes);
        withoutKey = newWithoutKey;
        withoutKeyCount = newWithoutKey.size();
        current = new Peers(routes.publish(), publicIps, auths, otherAuths, auth.mode());
    }

    private String withoutKeyConsequence(final String whom) {
        return auth.mode() == AuthMode.REQUIRED ? "--auth=required refuses their datagrams and sends " + whom + " none"
            : "datagrams to and from " + whom + " are not authenticated";
    }

    private boolean isCopyOfOurKey(final Lease lease, final NodeAuth.OwnKeys ours) {
        return ownPublicIp != 0 && lease.publicIp() != ownPublicIp && ours.isOurs(lease.backendData().key());
    }

    /**
     * Another node advertises our key: a key file copied between nodes (an image or a backup restored on two
     * machines), or a lease written by someone else. Neither side can tell whose datagrams are whose, so none go either
     * way (counted as refused), and it is said once.
     */
    private PeerAuth copyOfOurKey(final Lease lease) {
        if (withOurKey.add(lease.publicIp())) {
            Log.warn("node " + lease + " advertises this node's own key (a key file copied between nodes?): "
                + "datagrams to and from it are refused; give each node a key of its own (delete the copy's key file"
                + " and restart it)");
        }
        final BackendData data = lease.backendData();
        return PeerAuth.unusable(lease.publicIp(), data.key(), data.epoch(), NodeKey.idOf(data.keyBytes()),
            new PeerAuth.ReplayWindows());
    }

    /** Our keys changed (a rotation's step): every traffic key is agreed again, the replay windows stay. */
    public synchronized void ownKeysChanged() {
        replaceAll(leases);
    }

    /**
     * The id of the peer's key to write in what we seal for it: 0 ("your current key", all weft before key ids
     * understands) unless it advertises two keys, which only a weft that reads ids does.
     */
    private static int peerKeyIdToWrite(final BackendData data, final PeerAuth peerAuth) {
        return data.hasOtherKey() ? peerAuth.keyId : 0;
    }

    private PeerAuth peerAuth(final int publicIp, final String key, final long epoch, final NodeAuth.OwnKeys ours) {
        return peerAuth(PeerAuth.cacheKey(key, epoch), publicIp, key, epoch, ours);
    }

    private PeerAuth peerAuth(final String cacheKey, final int publicIp, final String key, final long epoch,
        final NodeAuth.OwnKeys ours) {
        final PeerAuth known = authByKey.get(cacheKey);
        if (known != null) {
            return known;
        }
        if (retired.contains(cacheKey)) {
            // Its windows are gone: opening under it again would take a captured datagram a second time.
            Log.warn("node " + Ipv4Addresses.format(publicIp) + " advertises again a key it rotated away from, under"
                + " the same epoch (a stale writer, an etcd restore?): its datagrams under that key are refused");
            final PeerAuth refused = PeerAuth.unusable(publicIp, key, epoch, NodeKey.idOf(Base64.getDecoder()
                .decode(key)), new PeerAuth.ReplayWindows());
            authByKey.put(cacheKey, refused);
            return refused;
        }
        final PeerAuth made = auth.peerAuth(publicIp, key, epoch, ours,
            windowsOf(cacheKey, publicIp, key, epoch).windows);
        if (made != null) {
            authByKey.put(cacheKey, made);
        }
        return made;
    }

    private WindowsOf windowsOf(final String cacheKey, final int publicIp, final String key, final long epoch) {
        WindowsOf windows = windowsByKey.get(cacheKey);
        if (windows == null) {
            final String older = windowsNameByPeerKey.put(key, cacheKey);
            // Not while a lease still names it (a stale lease beside the current one): each would reset the other's.
            if (older != null && !isNamedByALease(older)) {
                windowsByKey.remove(older);
            }
            windows = new WindowsOf(publicIp, key, epoch, new PeerAuth.ReplayWindows());
            windowsByKey.put(cacheKey, windows);
        }
        return windows;
    }

    /**
     * Agrees on the traffic keys of the leases' current keys and epochs not met yet on every core, for
     * {@link #peerAuth} to find made: a weftd starting among thousands of weft nodes would otherwise wait for their
     * X25519 agreements one after another. The maps are touched by this thread only; the agreements share nothing.
     */
    private void agreeInParallel(final NodeAuth.OwnKeys ours) {
        final Map<String, WindowsOf> toAgree = new HashMap<>();
        for (final Lease lease : leases) {
            final BackendData data = lease.backendData();
            if (!data.hasKey() || ours.isOurs(data.key())) {
                continue;
            }
            final String cacheKey = keyNames.get(data);
            if (!authByKey.containsKey(cacheKey) && !retired.contains(cacheKey) && !toAgree.containsKey(cacheKey)) {
                toAgree.put(cacheKey, windowsOf(cacheKey, lease.publicIp(), data.key(), data.epoch()));
            }
        }
        if (toAgree.size() < PARALLEL_AGREEMENTS_FROM) {
            return;
        }
        final Map<String, PeerAuth> made = new ConcurrentHashMap<>();
        toAgree.entrySet().parallelStream().forEach(entry -> {
            final WindowsOf peer = entry.getValue();
            final PeerAuth agreed = auth.peerAuth(peer.publicIp, peer.key, peer.epoch, ours, peer.windows);
            if (agreed != null) {
                made.put(entry.getKey(), agreed);
            }
        });
        authByKey.putAll(made);
    }

    /**
     * A node that advertises, under an epoch, neither of the keys it advertised before under that epoch has rotated
     * away from them for good (a new key comes with an epoch of its own only after a restart): their windows go.
     */
    private void forgetRotatedKeys(final Collection<Lease> all) {
        final Map<Integer, Lease> byIp = new HashMap<>();
        for (final Lease lease : all) {
            if (lease.backendData().hasKey()) {
                byIp.merge(lease.publicIp(), lease,
                    (a, b) -> a.backendData().epoch() >= b.backendData().epoch() ? a : b);
            }
        }
        windowsByKey.entrySet().removeIf(entry -> {
            final WindowsOf windows = entry.getValue();
            final Lease lease = byIp.get(windows.publicIp);
            if (lease == null || lease.backendData().epoch() != windows.epoch) {
                return false;
            }
            final BackendData data = lease.backendData();
            if (windows.key.equals(data.key()) || windows.key.equals(data.otherKey())) {
                return false;
            }
            retired.add(entry.getKey());
            windowsNameByPeerKey.remove(windows.key, entry.getKey());
            return true;
        });
        // Keys of older epochs went with their windows; those of retired keys stay, refusing, so they log once.
        authByKey.keySet().removeIf(cacheKey -> !windowsByKey.containsKey(cacheKey) && !retired.contains(cacheKey)
            || retired.contains(cacheKey) && authByKey.get(cacheKey).usable());
    }

    /** By value: a lease the registry made anew names its key with a string of its own. */
    private boolean isNamedByALease(final String name) {
        for (final String named : keyNames.values()) {
            if (named.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Names every lease's current key and epoch, reusing the last set's names for the same objects. */
    private void nameKeys() {
        nextKeyNames.clear();
        for (final Lease lease : leases) {
            final BackendData data = lease.backendData();
            if (data.hasKey() && !nextKeyNames.containsKey(data)) {
                final String name = keyNames.get(data);
                nextKeyNames.put(data, name != null ? name : PeerAuth.cacheKey(data.key(), data.epoch()));
            }
        }
        final Map<BackendData, String> last = keyNames;
        keyNames = nextKeyNames;
        nextKeyNames = last;
    }

    /** The replay windows of one peer key and epoch, with where they were met. */
    private record WindowsOf(int publicIp, String key, long epoch, PeerAuth.ReplayWindows windows) {
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
