package io.weft.dataplane.lane;

import io.weft.auth.AuthHeader;
import io.weft.auth.ReplayWindow;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What the packet path needs of one peer that authenticates: the traffic key of each direction and, per sender lane,
 * the replay window of the counters it sends under its current epoch. Made on the control thread once per peer key
 * and epoch; the lanes share it. What we send it is counted by {@link NodeAuth#nextNonce}, per lane for all peers.
 * A window is made on the first datagram of a sender lane that authenticated, so a forger can make none, and from
 * then on it is shared lock-free by whichever lanes receive from that sender lane.
 */
final class PeerAuth {
    /**
     * 1024 slots of 8 counters (8 KB, made only for sender lanes that send to us): a sender lane's datagrams may
     * arrive about 8,000 counters out of order and still count, as our lanes, each taking up to a batch of GRO runs
     * of 64 datagrams at a time, open datagrams of one sender lane side by side.
     */
    private static final int WINDOW_SLOTS = 1024;
    final int publicIp;
    final String key;
    final long epoch;
    /** Ours to the peer, and the peer's to us; null when no secret could be agreed (every datagram refused). */
    final byte[] sendKey;
    final byte[] receiveKey;
    private final AtomicReferenceArray<ReplayWindow> windows =
        new AtomicReferenceArray<>(AuthHeader.MAX_LANE + 1);
    PeerAuth(final int publicIp, final String key, final long epoch, final byte[] sendKey, final byte[] receiveKey) {
        this.publicIp = publicIp;
        this.key = key;
        this.epoch = epoch;
        this.sendKey = sendKey;
        this.receiveKey = receiveKey;
    }

    static PeerAuth unusable(final int publicIp, final String key, final long epoch) {
        return new PeerAuth(publicIp, key, epoch, null, null);
    }

    boolean usable() {
        return sendKey != null;
    }

    /** The window of {@code senderLane}, or null before its first authenticated datagram. */
    ReplayWindow windowIfAny(final int senderLane) {
        return windows.get(senderLane);
    }

    /** The window of {@code senderLane}, made on its first authenticated datagram. */
    ReplayWindow window(final int senderLane) {
        final ReplayWindow window = windows.get(senderLane);
        if (window != null) {
            return window;
        }
        windows.compareAndSet(senderLane, null, new ReplayWindow(WINDOW_SLOTS));
        return windows.get(senderLane);
    }

    /**
     * Its cache key: one PeerAuth, so one set of replay windows, per peer key and epoch for the life of the process,
     * whatever happens to the lease meanwhile (gone and back, two leases for one address): windows made anew would
     * take a datagram recorded earlier once more.
     */
    static String cacheKey(final String key, final long epoch) {
        return key + '/' + epoch;
    }
}
