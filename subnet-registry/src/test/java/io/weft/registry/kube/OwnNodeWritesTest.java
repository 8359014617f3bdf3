package io.weft.registry.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** When our node's annotations are written again: once per version when it goes through, backing off when not. */
class OwnNodeWritesTest {
    private static final long FIRST = 1_000;
    private static final long MAX = 5_000;
    private static final Map<String, String> OURS = Map.of("a/public-ip", "192.168.100.1");
    private final OwnNodeWrites writes = new OwnNodeWrites(FIRST, MAX);

    @Test
    void shouldNotWriteAgainAtAVersionWhereAWriteWentThrough() {
        assertThat(writes.shouldWrite("7", OURS, 0)).isTrue();
        assertThat(writes.firstAttempt()).isTrue();
        writes.written();

        assertThat(writes.shouldWrite("7", OURS, 10 * MAX)).as("the cache has not shown the write yet").isFalse();
        assertThat(writes.shouldWrite("8", OURS, 10 * MAX)).as("a newer version still lacks them").isTrue();
    }

    @Test
    void shouldRetryAFailedWriteAfterABackoffThatDoublesUpToItsLimit() {
        long now = 0;
        assertThat(writes.shouldWrite("7", OURS, now)).isTrue();
        for (final long backoff : new long[] {FIRST, 2 * FIRST, 4 * FIRST, MAX, MAX}) {
            assertThat(writes.backoffNanos()).isEqualTo(backoff);
            assertThat(writes.shouldWrite("7", OURS, now + backoff - 1)).isFalse();
            now += backoff;
            assertThat(writes.shouldWrite("7", OURS, now)).isTrue();
            assertThat(writes.firstAttempt()).isFalse();
        }
    }

    @Test
    void shouldStartAnewForAnotherVersionOrOtherAnnotations() {
        assertThat(writes.shouldWrite("7", OURS, 0)).isTrue();
        assertThat(writes.shouldWrite("7", OURS, FIRST)).isTrue();
        assertThat(writes.backoffNanos()).isEqualTo(2 * FIRST);

        assertThat(writes.shouldWrite("7", Map.of("a/backend-data", "{}"), FIRST + 1)).as("new keys advertised")
            .isTrue();
        assertThat(writes.firstAttempt()).isTrue();
        assertThat(writes.backoffNanos()).isEqualTo(FIRST);
        assertThat(writes.shouldWrite("9", Map.of("a/backend-data", "{}"), FIRST + 2)).isTrue();
    }

    @Test
    void shouldWriteEveryTimeForANodeWithoutAVersion() {
        assertThat(writes.shouldWrite(null, OURS, 0)).isTrue();
        writes.written();

        assertThat(writes.shouldWrite(null, OURS, 1)).isTrue();
    }
}
