package io.weft.dataplane.lane;

import io.weft.auth.AuthHeader;
import io.weft.auth.ReplayWindow;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What the packet path needs of one key of a peer that authenticates: the traffic key we seal with towards it, the
 * traffic keys it seals with towards each of our keys (the current one and, while we rotate, the other), and, per
 * sender lane, the replay window of the counters it sends under its current epoch. Made on the control thread once
 * per peer key and epoch and per set of our keys; the lanes share it. What we send it is counted by
 * {@link NodeAuth#nextNonce}, per lane for all peers.
 */
final class PeerAuth {
    final int publicIp;
    final String key;
    final long epoch;
    /** The peer key's id in headers ({@link io.weft.auth.NodeKey#idOf}). */
    final int keyId;
    /** Ours to the peer under our current key; null when no secret could be agreed (every datagram refused). */
    final byte[] sendKey;
    /** The id of our key {@link #sendKey} was agreed from. */
    final int ourKeyId;
    /** The peer's to us under our current key ({@link #ourKeyId}) and under our other key, if any. */
    private final byte[] receiveKey;
    private final int otherOurKeyId;
    private final byte[] otherReceiveKey;
    private final ReplayWindows windows;

    PeerAuth(final int publicIp, final String key, final long epoch, final int keyId, final int ourKeyId,
        final byte[] sendKey, final byte[] receiveKey, final int otherOurKeyId, final byte[] otherReceiveKey,
        final ReplayWindows windows) {
        this.publicIp = publicIp;
        this.key = key;
        this.epoch = epoch;
        this.keyId = keyId;
        this.ourKeyId = ourKeyId;
        this.sendKey = sendKey;
        this.receiveKey = receiveKey;
        this.otherOurKeyId = otherOurKeyId;
        this.otherReceiveKey = otherReceiveKey;
        this.windows = windows;
    }

    /** One key of a peer and one of ours, not rotating: as tests and benchmarks build it. */
    PeerAuth(final int publicIp, final String key, final long epoch, final byte[] sendKey, final byte[] receiveKey) {
        this(publicIp, key, epoch, 0, 0, sendKey, receiveKey, 0, null, new ReplayWindows());
    }

    static PeerAuth unusable(final int publicIp, final String key, final long epoch, final int keyId,
        final ReplayWindows windows) {
        return new PeerAuth(publicIp, key, epoch, keyId, 0, null, null, 0, null, windows);
    }

    boolean usable() {
        return sendKey != null;
    }

    /**
     * The key the peer sealed with for our key {@code receiverKeyId} (0: our current one, as a peer writes it when we
     * advertise one key), or null when we hold no such key.
     */
    byte[] receiveKey(final int receiverKeyId) {
        if (receiverKeyId == 0 || receiverKeyId == ourKeyId) {
            return receiveKey;
        }
        return receiverKeyId == otherOurKeyId ? otherReceiveKey : null;
    }

    /** The window of {@code senderLane}, or null before its first authenticated datagram. */
    ReplayWindow windowIfAny(final int senderLane) {
        return windows.windowIfAny(senderLane);
    }

    /** The window of {@code senderLane}, made on its first authenticated datagram. */
    ReplayWindow window(final int senderLane) {
        return windows.window(senderLane);
    }

    /**
     * The replay windows of one peer key and epoch, per sender lane. A window is made on the first datagram of a
     * sender lane that authenticated, so a forger can make none, and from then on it is shared lock-free by whichever
     * lanes receive from that sender lane. Kept across our own key rotations: the peer's counters go on.
     */
    static final class ReplayWindows {
        /**
         * 1024 slots of 8 counters (8 KB, made only for sender lanes that send to us): a sender lane's datagrams may
         * arrive about 8,000 counters out of order and still count, as our lanes, each taking up to a batch of GRO
         * runs of 64 datagrams at a time, open datagrams of one sender lane side by side.
         */
        private static final int WINDOW_SLOTS = 1024;
        private static final VarHandle BY_LANE = byLaneHandle();
        /** Made with the first window: among thousands of peers most never send to us, and it is a kilobyte. */
        private volatile AtomicReferenceArray<ReplayWindow> byLane;

        ReplayWindow windowIfAny(final int senderLane) {
            final AtomicReferenceArray<ReplayWindow> windows = byLane;
            return windows == null ? null : windows.get(senderLane);
        }

        ReplayWindow window(final int senderLane) {
            AtomicReferenceArray<ReplayWindow> windows = byLane;
            if (windows == null) {
                BY_LANE.compareAndSet(this, null, new AtomicReferenceArray<ReplayWindow>(AuthHeader.MAX_LANE + 1));
                windows = byLane;
            }
            final ReplayWindow window = windows.get(senderLane);
            if (window != null) {
                return window;
            }
            windows.compareAndSet(senderLane, null, new ReplayWindow(WINDOW_SLOTS));
            return windows.get(senderLane);
        }

        private static VarHandle byLaneHandle() {
            try {
                return MethodHandles.lookup().findVarHandle(ReplayWindows.class, "byLane", AtomicReferenceArray.class);
            } catch (final ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }
}
