package io.weft.dataplane.node;

import io.weft.log.Log;
import io.weft.tun.Errno;
import io.weft.tun.NativeException;
import io.weft.tun.UnixSeqpacket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A forwarding weftd's side of a hand-over: listens on the abstract socket {@code weftd/<tun>} of its network
 * namespace; to a successor (root or our user) it sends its offer and descriptors, and when the successor's lanes run
 * ("started"), stops its own lanes, closes everything (keeping the lease, which the successor adopted) and answers
 * "stopped"; the main loop then ends the process (see {@code --exit-after-handover}). A successor that fails or hangs
 * before "started" changes nothing here.
 */
final class HandoverServer implements AutoCloseable {
    /**
     * How long each step of the peer may take; the successor's setup (registry, first snapshot) runs in one. Tests
     * shorten it to see a running weftd give up on a slow successor.
     */
    static final long STEP_TIMEOUT_MS = Long.getLong("weft.handover.step-timeout-ms", 120_000);

    /** What the daemon gives and does in a hand-over. */
    interface Handing {
        /** The offer and the descriptors it describes, taken at one moment. */
        Offered offer();

        /** Stops the lanes and closes everything, keeping what the kernel holds for the successor. */
        void stopForSuccessor();

        /** The successor has been told, or could not be: the process may end now. */
        void handedOver();

        /** A successor took an offer but did not take over: this process forwards on. */
        void handOverFailed();
    }

    /** What a successor gets: the offer and its descriptors, read together so that they agree. */
    record Offered(HandoverOffer offer, int[] fds) {
    }

    private final UnixSeqpacket listener;
    private final Handing handing;
    private final Thread thread;
    private volatile boolean closing;

    private HandoverServer(final UnixSeqpacket listener, final Handing handing) {
        this.listener = listener;
        this.handing = handing;
        this.thread = new Thread(this::serve, "handover");
        thread.setDaemon(true);
    }

    /** Starts listening; null (said in the log) when another process listens on our name already. */
    static HandoverServer start(final String tunName, final Handing handing) throws NativeException {
        final UnixSeqpacket listener;
        try {
            listener = UnixSeqpacket.listen(Handover.socketName(tunName));
        } catch (final NativeException e) {
            if (e.errno() == Errno.EADDRINUSE) {
                Log.warn("another process listens on @" + Handover.socketName(tunName) + ": no hand-over from here");
                return null;
            }
            throw e;
        }
        final HandoverServer server = new HandoverServer(listener, handing);
        server.thread.start();
        return server;
    }

    private void serve() {
        while (!closing) {
            try (UnixSeqpacket peer = listener.accept(STEP_TIMEOUT_MS)) {
                if (handOver(peer)) {
                    Log.info("handed over to the new weftd");
                    return;
                }
            } catch (final IOException | RuntimeException e) {
                if (closing) {
                    return;
                }
                Log.warn("a hand-over to a new weftd failed, forwarding on: " + e.getMessage());
                handing.handOverFailed();
            }
        }
    }

    /** True once the successor runs and this process has stopped; false when the peer went away first. */
    private boolean handOver(final UnixSeqpacket peer) throws IOException {
        Handover.checkPeer(peer);
        final String request = peer.receive().text();
        if (!Handover.TAKE.equals(request)) {
            throw new IOException("unknown hand-over request '" + request + "'");
        }
        final Offered offered = handing.offer();
        peer.send(offered.offer().encode().getBytes(StandardCharsets.UTF_8), offered.fds());
        Log.info("a new weftd takes over: handed it " + offered.offer().lanes() + " lane(s) of descriptors");
        final String answer = peer.receive().text();
        if (!Handover.STARTED.equals(answer)) {
            throw new IOException("the new weftd said '" + answer + "' instead of '" + Handover.STARTED + "'");
        }
        try {
            handing.stopForSuccessor();
            peer.send(Handover.STOPPED.getBytes(StandardCharsets.UTF_8), new int[0]);
        } finally {
            handing.handedOver();
        }
        return true;
    }

    /** Stops listening. Never waits for the serving thread: it may be the one closing the daemon. */
    @Override
    public void close() {
        closing = true;
        listener.shutdown();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(1000);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        listener.close();
    }
}
