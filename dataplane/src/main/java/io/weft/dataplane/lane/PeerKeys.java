package io.weft.dataplane.lane;

import io.weft.auth.NodeKey;
import io.weft.log.Log;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Addresses;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys side of the {@link PeerTable}: the traffic keys agreed with each peer key and epoch ({@link KeyEpoch}),
 * and their replay windows, kept for the life of the process however the key's lease comes and
 * goes. A key seen with a newer epoch drops its older windows (unless a lease still names them); a key its node no
 * longer advertises under the same epoch was rotated away from, and its windows give way to a refusal for good.
 * Touched by the peer table's writer only.
 */
final class PeerKeys {
    /** Fewer new peer keys than this are agreed on one by one: spreading them over the cores would cost more. */
    static final int PARALLEL_AGREEMENTS_FROM = 16;
    private final NodeAuth auth;
    private final int ownPublicIp;
    /** The other nodes seen advertising our key, each logged once. */
    private final Set<Integer> withOurKey = new HashSet<>();
    private final Map<KeyEpoch, WindowsOf> windowsByName = new HashMap<>();
    /** Which of {@link #windowsByName} holds a peer key's windows: one epoch's at a time, found with no scan. */
    private final Map<String, KeyEpoch> windowsNameByPeerKey = new HashMap<>();
    /** The windows by the node address they were met at, so that a node's change looks at its own only. */
    private final Map<Integer, List<WindowsOf>> windowsByIp = new HashMap<>();
    /** The traffic keys of every peer key and epoch agreed with our current keys. */
    private final Map<KeyEpoch, PeerAuth> authByName = new HashMap<>();
    /** The peer keys and epochs rotated away from: never opened under again. */
    private final Set<KeyEpoch> retired = new HashSet<>();
    /** How many leases name each key and epoch as their current one. */
    private final Map<KeyEpoch, Integer> leasesNaming = new HashMap<>();
    private NodeAuth.OwnKeys keysFor;
    /** Whether agreements ran in bulk yet: the first says where (libcrypto's X25519, which it loads, or the JDK's). */
    private boolean agreedInBulk;

    PeerKeys(final NodeAuth auth, final int ownPublicIp) {
        this.auth = auth;
        this.ownPublicIp = ownPublicIp;
    }

    /**
     * Takes our keys as they are now.
     *
     * @return true when they changed since the last call: every traffic key is to be agreed again (the windows stay).
     */
    boolean takeOwnKeys() {
        final NodeAuth.OwnKeys ours = auth.keys();
        if (ours == keysFor) {
            return false;
        }
        authByName.clear();
        keysFor = ours;
        return true;
    }

    /** A lease's current key and epoch, or null when it has none or authentication is off. */
    KeyEpoch nameOf(final Lease lease) {
        final BackendData data = lease.backendData();
        return auth.mode().enabled() && data.hasKey() ? new KeyEpoch(data.key(), data.epoch()) : null;
    }

    /** A lease naming {@code name} came. */
    void named(final KeyEpoch name) {
        leasesNaming.merge(name, 1, Integer::sum);
    }

    /** No lease names any key: they are all to be named again. */
    void forgetNames() {
        leasesNaming.clear();
    }

    /** A lease naming {@code name} went. */
    void unnamed(final KeyEpoch name) {
        leasesNaming.computeIfPresent(name, (key, count) -> count == 1 ? null : count - 1);
    }

    /** The keys to seal for and open from a lease's node under its current key; null when it has none. */
    PeerAuth authOf(final Lease lease, final KeyEpoch name) {
        if (name == null) {
            return null;
        }
        if (keysFor.isOurs(name.key())) {
            return ownPublicIp != 0 && lease.publicIp() != ownPublicIp ? copyOfOurKey(lease) : null;
        }
        return peerAuth(name, lease.publicIp());
    }

    /** The keys of a lease's other key, while its node rotates; null when it has none. */
    PeerAuth otherAuthOf(final Lease lease) {
        final BackendData data = lease.backendData();
        if (!auth.mode().enabled() || !data.hasOtherKey() || keysFor.isOurs(data.otherKey())) {
            return null;
        }
        return peerAuth(new KeyEpoch(data.otherKey(), data.epoch()), lease.publicIp());
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

    private PeerAuth peerAuth(final KeyEpoch name, final int publicIp) {
        final PeerAuth known = authByName.get(name);
        if (known != null) {
            return known;
        }
        if (retired.contains(name)) {
            // Its windows are gone: opening under it again would take a captured datagram a second time.
            Log.warn("node " + Ipv4Addresses.format(publicIp) + " advertises again a key it rotated away from, under"
                + " the same epoch (a stale writer, an etcd restore?): its datagrams under that key are refused");
            final PeerAuth refused = PeerAuth.unusable(publicIp, name.key(), name.epoch(),
                NodeKey.idOf(Base64.getDecoder().decode(name.key())), new PeerAuth.ReplayWindows());
            authByName.put(name, refused);
            return refused;
        }
        final PeerAuth made = auth.peerAuth(publicIp, name.key(), name.epoch(), keysFor,
            windowsOf(name, publicIp).windows, false);
        if (made != null) {
            authByName.put(name, made);
        }
        return made;
    }

    private WindowsOf windowsOf(final KeyEpoch name, final int publicIp) {
        WindowsOf windows = windowsByName.get(name);
        if (windows == null) {
            final KeyEpoch older = windowsNameByPeerKey.put(name.key(), name);
            // Not while a lease still names it (a stale lease beside the current one): each would reset the other's.
            if (older != null && !leasesNaming.containsKey(older)) {
                final WindowsOf dropped = windowsByName.remove(older);
                if (dropped != null) {
                    final List<WindowsOf> met = windowsByIp.get(dropped.publicIp);
                    if (met.remove(dropped) && met.isEmpty()) {
                        windowsByIp.remove(dropped.publicIp);
                    }
                }
                authByName.remove(older);
            }
            windows = new WindowsOf(name, publicIp, new PeerAuth.ReplayWindows());
            windowsByName.put(name, windows);
            windowsByIp.computeIfAbsent(publicIp, ip -> new ArrayList<>(2)).add(windows);
        }
        return windows;
    }

    /**
     * Agrees on the traffic keys of the new leases' keys and epochs not met yet on every core, for {@link #authOf} to
     * find made: a weftd starting among thousands of weft nodes would otherwise wait for their X25519 agreements one
     * after another. The maps are touched by this thread only; the agreements share nothing.
     *
     * @param names each lease's {@link #nameOf}, in the same order.
     */
    void agreeInParallel(final List<Lease> leases, final List<KeyEpoch> names) {
        final Map<KeyEpoch, WindowsOf> toAgree = new HashMap<>();
        for (int i = 0; i < leases.size(); i++) {
            final KeyEpoch name = names.get(i);
            if (name == null || keysFor.isOurs(name.key()) || authByName.containsKey(name) || retired.contains(name)
                || toAgree.containsKey(name)) {
                continue;
            }
            toAgree.put(name, windowsOf(name, leases.get(i).publicIp()));
        }
        if (toAgree.size() < PARALLEL_AGREEMENTS_FROM) {
            return;
        }
        if (!agreedInBulk) {
            agreedInBulk = true;
            Log.info("authentication: " + toAgree.size() + " new peer keys at once, agreed on every core with "
                + NodeKey.bulkAgreementEngine());
        }
        final NodeAuth.OwnKeys ours = keysFor;
        final Map<KeyEpoch, PeerAuth> made = new ConcurrentHashMap<>();
        toAgree.values().parallelStream().forEach(peer -> {
            final PeerAuth agreed = auth.peerAuth(peer.publicIp, peer.name.key(), peer.name.epoch(), ours,
                peer.windows, true);
            if (agreed != null) {
                made.put(peer.name, agreed);
            }
        });
        authByName.putAll(made);
    }

    /**
     * A node that advertises, under an epoch, neither of the keys it advertised before under that epoch has rotated
     * away from them for good (a new key comes with an epoch of its own only after a restart): their windows go.
     *
     * @param newest the node's lease with a key and the highest epoch, or null when none of its leases has a key.
     * @return true when a key was retired.
     */
    boolean forgetRotatedKeys(final int publicIp, final Lease newest) {
        final List<WindowsOf> met = windowsByIp.get(publicIp);
        if (met == null || newest == null) {
            return false;
        }
        boolean retiredOne = false;
        final BackendData data = newest.backendData();
        for (final Iterator<WindowsOf> it = met.iterator(); it.hasNext();) {
            final WindowsOf windows = it.next();
            final String key = windows.name.key();
            if (windows.name.epoch() != data.epoch() || key.equals(data.key()) || key.equals(data.otherKey())) {
                continue;
            }
            it.remove();
            retiredOne = true;
            windowsByName.remove(windows.name);
            retired.add(windows.name);
            windowsNameByPeerKey.remove(key, windows.name);
            // Agreed again on its next use as a refusal, which logs once.
            final PeerAuth agreed = authByName.get(windows.name);
            if (agreed != null && agreed.usable()) {
                authByName.remove(windows.name);
            }
        }
        if (met.isEmpty()) {
            windowsByIp.remove(publicIp);
        }
        return retiredOne;
    }

    /**
     * A peer key (base64, as its lease advertises it) under an epoch: one set of replay windows each for the life of
     * the process, whatever happens to the lease meanwhile (gone and back, two leases for one address), as windows made
     * anew would take a datagram recorded earlier once more.
     */
    record KeyEpoch(String key, long epoch) {
    }

    /** The replay windows of one peer key and epoch, with where they were met. */
    private record WindowsOf(KeyEpoch name, int publicIp, PeerAuth.ReplayWindows windows) {
    }
}
