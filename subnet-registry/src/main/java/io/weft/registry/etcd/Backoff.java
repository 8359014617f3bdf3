package io.weft.registry.etcd;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: nodes that lost etcd together must not all knock again at the same instant.
 * Used by one thread.
 */
final class Backoff {
    private final long initialNs;
    private final long maxNs;
    private long nextNs;

    Backoff(final Duration initial, final Duration max) {
        this.initialNs = initial.toNanos();
        this.maxNs = Math.max(initialNs, max.toNanos());
        this.nextNs = initialNs;
    }

    /** The wait before the next attempt: between half and all of the current step, which then doubles. */
    long nextDelayNs() {
        final long step = nextNs;
        nextNs = Math.min(maxNs, step * 2);
        return step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
    }

    void reset() {
        nextNs = initialNs;
    }

    void sleep() throws InterruptedException {
        final long delayNs = nextDelayNs();
        Thread.sleep(delayNs / 1_000_000, (int)(delayNs % 1_000_000));
    }
}
