package io.weft.dataplane.node;

import io.weft.log.Log;
import io.weft.tun.NativeException;
import io.weft.tun.UnixSeqpacket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A starting weftd's side of a hand-over: asks the weftd running on this node (same network namespace) for its TUN
 * queues and UDP sockets, then, once its own lanes run on them, tells it to stop and waits until it has. The old one
 * keeps forwarding until then; if this process dies first, nothing changes for it. See {@link HandoverServer}.
 */
final class Handover implements AutoCloseable {
    static final String TAKE = "take v1";
    static final String STARTED = "started";
    static final String STOPPED = "stopped";

    private final UnixSeqpacket peer;
    final HandoverOffer offer;
    /** The descriptors received: owned by this object until {@link #taken()}. */
    private int[] fds;

    private Handover(final UnixSeqpacket peer, final HandoverOffer offer, final int[] fds) {
        this.peer = peer;
        this.offer = offer;
        this.fds = fds;
    }

    /** The abstract socket name of the weftd serving {@code tunName}: one per device and network namespace. */
    static String socketName(final String tunName) {
        return "weftd/" + tunName;
    }

    /** The running weftd's offer and descriptors; null when none runs here (nobody listens). */
    static Handover request(final String tunName) throws IOException {
        final UnixSeqpacket peer = UnixSeqpacket.connect(socketName(tunName), HandoverServer.STEP_TIMEOUT_MS);
        if (peer == null) {
            return null;
        }
        try {
            checkPeer(peer);
            peer.send(TAKE.getBytes(StandardCharsets.UTF_8), new int[0]);
            final UnixSeqpacket.Message message = peer.receive();
            final HandoverOffer offer;
            try {
                offer = HandoverOffer.decode(message.text());
                if (message.fds().length != 3 * offer.lanes() || !offer.tunName().equals(tunName)) {
                    throw new IllegalArgumentException(message.fds().length + " descriptors for " + offer.lanes() +
                        " lanes of " + offer.tunName());
                }
            } catch (final IllegalArgumentException e) {
                UnixSeqpacket.closeAll(message.fds());
                throw new IOException("the running weftd's hand-over is unusable: " + e.getMessage(), e);
            }
            Log.info("taking over from the running weftd: " + offer.encode());
            return new Handover(peer, offer, message.fds());
        } catch (final IOException | RuntimeException e) {
            peer.close();
            throw new IOException("hand-over from the running weftd failed: " + e.getMessage(), e);
        }
    }

    /** Only root or our own user may hand us descriptors or take ours: abstract sockets have no file permissions. */
    static void checkPeer(final UnixSeqpacket peer) throws IOException {
        final int uid = peer.peerUid();
        if (uid != 0 && uid != UnixSeqpacket.effectiveUid()) {
            throw new IOException("hand-over peer runs as uid " + uid + ", neither root nor us");
        }
    }

    /** The descriptors, which the caller owns from now on. */
    int[] taken() {
        final int[] taken = fds;
        fds = new int[0];
        return taken;
    }

    /**
     * Our lanes run: the old weftd stops its own and exits. Returns once it said so, or could not: a peer that went
     * away (stopped meanwhile) or does not answer is logged, and we forward on; if it still runs, both read the same
     * queues, which loses nothing.
     */
    void started() {
        try {
            peer.send(STARTED.getBytes(StandardCharsets.UTF_8), new int[0]);
            final long startNs = System.nanoTime();
            final String answer = peer.receive().text();
            if (!STOPPED.equals(answer)) {
                Log.warn("the old weftd answered '" + answer + "' instead of '" + STOPPED + "': forwarding anyway");
                return;
            }
            Log.info("the old weftd stopped " + (System.nanoTime() - startNs) / 1_000_000 + " ms after we started");
        } catch (final NativeException e) {
            Log.warn("no answer from the old weftd after our start (" + e.getMessage() + "): forwarding anyway");
        }
    }

    @Override
    public void close() {
        UnixSeqpacket.closeAll(taken());
        peer.close();
    }
}
