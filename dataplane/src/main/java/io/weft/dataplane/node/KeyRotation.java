package io.weft.dataplane.node;

import io.weft.auth.NodeKey;
import io.weft.dataplane.lane.NodeAuth;
import io.weft.dataplane.lane.PeerTable;
import io.weft.log.Log;
import io.weft.registry.LeaseRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Makes a new node key for --auth every period, with no restart and no datagram lost: a rotation is three steps a
 * quarter of the period apart, each first made ready here, then advertised in our lease.
 * <ol>
 *   <li>announce: the new key is advertised beside ours ({@code WeftOtherKey}); we open datagrams sealed for
 *   either, and still seal with ours, as the other nodes cannot open the new one's until their watch brings it;</li>
 *   <li>switch: the new key goes to the key file (a restart keeps it), we seal with it and advertise it as ours,
 *   the old one as the other: nodes that have not seen this yet still seal for the old one, which still opens;</li>
 *   <li>retire: the old key is forgotten.</li>
 * </ol>
 * A quarter of the period is how long a node's watch may lag ours before it loses datagrams to us. A step that
 * fails (the key file cannot be written) is logged and the rotation given up until the next period; our lease is
 * written by the registry, which retries until it is done.
 */
final class KeyRotation implements AutoCloseable {
    private final NodeAuth auth;
    private final PeerTable peers;
    private final LeaseRegistry registry;
    private final Path keyFile;
    private final boolean partialChecksums;
    private final long stepMillis;
    /** Guarded by this: set while a successor is offered our keys. */
    private boolean paused;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        final Thread thread = new Thread(runnable, "weft-key-rotation");
        thread.setDaemon(true);
        return thread;
    });

    private KeyRotation(final NodeAuth auth, final PeerTable peers, final LeaseRegistry registry, final Path keyFile,
        final boolean partialChecksums, final long periodMillis) {
        this.auth = auth;
        this.peers = peers;
        this.registry = registry;
        this.keyFile = keyFile;
        this.partialChecksums = partialChecksums;
        this.stepMillis = periodMillis / 4;
    }

    /** Starts rotating every {@code periodSeconds}, the first time one period from now. */
    static KeyRotation start(final NodeAuth auth, final PeerTable peers, final LeaseRegistry registry,
        final Path keyFile, final boolean partialChecksums, final int periodSeconds) {
        final KeyRotation rotation = new KeyRotation(auth, peers, registry, keyFile, partialChecksums,
            TimeUnit.SECONDS.toMillis(periodSeconds));
        rotation.timer.scheduleAtFixedRate(rotation::rotate, periodSeconds, periodSeconds, TimeUnit.SECONDS);
        return rotation;
    }

    /** One rotation, its steps a quarter of the period apart; the timer's thread waits through them. */
    private void rotate() {
        try {
            final NodeKey next = NodeKey.generateNext(auth.keys().current());
            if (!announce(next)) {
                return;
            }
            Thread.sleep(stepMillis);
            if (!switchTo(next)) {
                return;
            }
            Thread.sleep(stepMillis);
            retire();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final RuntimeException e) {
            // A scheduled task that throws is never run again: a rotation that fails must not end them all.
            Log.warn("node key rotation failed: " + e + "; trying again in a rotation period");
        }
    }

    private synchronized boolean announce(final NodeKey next) {
        if (paused) {
            return false;
        }
        auth.announce(next);
        applied();
        Log.info("authentication: announced a new node key " + next.publicKeyBase64().substring(0, 8) + "... (id "
            + next.id() + ") beside ours");
        return true;
    }

    private synchronized boolean switchTo(final NodeKey next) {
        if (paused) {
            return false;
        }
        try {
            next.store(keyFile);
        } catch (final IOException e) {
            auth.retireOther();
            applied();
            Log.warn("authentication: cannot write the new node key to " + keyFile + " (" + e.getMessage()
                + "): keeping ours, trying again in a rotation period");
            return false;
        }
        auth.switchToOther();
        applied();
        Log.info("authentication: sealing with the new node key; the old one still opens");
        return true;
    }

    private synchronized void retire() {
        if (paused) {
            return;
        }
        auth.retireOther();
        applied();
        Log.info("authentication: forgot the old node key: rotation done");
    }

    /**
     * No step from now on until {@link #resume}: a successor is being offered this node's key and epoch, and reads
     * the key file; a step now would advertise, on the lease it adopts, keys it does not hold. Waits for a step under
     * way to finish.
     */
    synchronized void pause() {
        paused = true;
    }

    /** The successor did not take over: the rotation goes on where it stopped, or with the next period. */
    synchronized void resume() {
        paused = false;
    }

    /** Our keys changed: agree traffic keys again, then say so in our lease. */
    private void applied() {
        peers.ownKeysChanged();
        registry.advertise(auth.backendData(partialChecksums));
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
