package io.weft.registry.kube;

import java.util.Map;

/**
 * When the lease watcher writes our node's annotations again, seen at every look at a node that lacks them: once per
 * version of the node and annotations wanted when the write goes through (the cache then shows a newer version), and
 * after a failure again after the first backoff, doubled at each failure up to the last, so that a lasting refusal
 * (RBAC, a webhook) on every node of a large cluster does not become a stream of writes. A node without a version
 * (no real API server leaves one out) is written every time. Times in {@link System#nanoTime()}; one thread.
 */
final class OwnNodeWrites {
    private final long firstBackoffNanos;
    private final long maxBackoffNanos;
    private String version;
    private Map<String, String> wanted;
    private boolean written;
    private long triedAtNanos;
    private long backoffNanos;
    private boolean first;

    OwnNodeWrites(final long firstBackoffNanos, final long maxBackoffNanos) {
        this.firstBackoffNanos = firstBackoffNanos;
        this.maxBackoffNanos = maxBackoffNanos;
    }

    /** Whether to write {@code wantedNow} to the node at {@code versionNow} now; a yes counts as an attempt. */
    boolean shouldWrite(final String versionNow, final Map<String, String> wantedNow, final long now) {
        final boolean again = versionNow != null && versionNow.equals(version) && wantedNow.equals(wanted);
        if (again && (written || now - triedAtNanos < backoffNanos)) {
            return false;
        }
        backoffNanos = again ? Math.min(2 * backoffNanos, maxBackoffNanos) : firstBackoffNanos;
        first = !again;
        version = versionNow;
        wanted = Map.copyOf(wantedNow);
        triedAtNanos = now;
        written = false;
        return true;
    }

    /** Whether the last attempt was the first at its version and annotations (worth a line in the log). */
    boolean firstAttempt() {
        return first;
    }

    /** The last attempt went through. */
    void written() {
        written = true;
    }

    /** How long after the last failed attempt the next one may come. */
    long backoffNanos() {
        return backoffNanos;
    }
}
