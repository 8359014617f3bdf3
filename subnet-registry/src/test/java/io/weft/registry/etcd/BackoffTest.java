package io.weft.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void shouldDoubleUpToTheMaximumWithJitterWhenFailuresRepeat() {
        final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500));
        final long[] steps = {100, 200, 400, 500, 500};

        for (int round = 0; round < 100; round++) {
            backoff.reset();
            for (final long stepMs : steps) {
                assertThat(backoff.nextDelayNs()).isBetween(stepMs * 500_000, stepMs * 1_000_000);
            }
        }
    }

    @Test
    void shouldStartOverWhenReset() {
        final Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(5));
        for (int i = 0; i < 20; i++) {
            backoff.nextDelayNs();
        }

        backoff.reset();

        assertThat(backoff.nextDelayNs()).isBetween(5_000_000L, 10_000_000L);
    }
}
