package io.weft.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    private static final long FAR = AuthHeader.MAX_COUNTER - 1_000_000;

    /** A counter anywhere in the 56 bits, leaving room above it for a trial. */
    private static long randomBase(final Random random) {
        return random.nextBoolean() ? random.nextInt(100) : (random.nextLong() & AuthHeader.MAX_COUNTER) % FAR;
    }

    @Test
    void shouldAcceptEachCounterAtMostOnceWhateverTheSequence() {
        final Random random = new Random(60);
        for (int trial = 0; trial < 300; trial++) {
            final ReplayWindow window = new ReplayWindow(16);
            final long base = randomBase(random);
            final int spread = 1 + random.nextInt(3000);
            final Set<Long> accepted = new HashSet<>();
            for (int i = random.nextInt(3000); i > 0; i--) {
                final long counter = base + random.nextInt(spread);
                final boolean fresh = window.isFresh(counter);
                final boolean marked = window.markSeen(counter);
                assertThat(fresh).as("trial %d: isFresh agrees with markSeen for %d", trial, counter).isEqualTo(marked);
                if (marked) {
                    assertThat(accepted.add(counter)).as("trial %d: %d accepted twice", trial, counter).isTrue();
                } else {
                    assertThat(window.markSeen(counter)).isFalse();
                }
            }
        }
    }

    @Test
    void shouldAcceptAnyOrderWithinTheToleratedReordering() {
        final Random random = new Random(61);
        for (int trial = 0; trial < 300; trial++) {
            final ReplayWindow window = new ReplayWindow(1 << 1 + random.nextInt(6));
            final long base = randomBase(random);
            final List<Long> counters = new ArrayList<>();
            for (long c = base; c <= base + window.toleratedReordering(); c++) {
                counters.add(c);
            }
            Collections.shuffle(counters, random);
            for (final long counter : counters) {
                assertThat(window.markSeen(counter)).as("trial %d: first sight of %d", trial, counter).isTrue();
            }
            for (final long counter : counters) {
                assertThat(window.isFresh(counter)).isFalse();
                assertThat(window.markSeen(counter)).as("trial %d: replay of %d", trial, counter).isFalse();
            }
        }
    }

    @Test
    void shouldAcceptLateCounterWithinToleranceAndRefuseItBeyond() {
        final Random random = new Random(62);
        for (int trial = 0; trial < 300; trial++) {
            final int slots = 1 << 1 + random.nextInt(6);
            final long late = trial < 8 ? trial : randomBase(random);
            final ReplayWindow within = new ReplayWindow(slots);
            final ReplayWindow beyond = new ReplayWindow(slots);
            final int tolerated = within.toleratedReordering();
            for (long c = late + 1; c <= late + tolerated; c++) {
                assertThat(within.markSeen(c)).isTrue();
            }
            // Past the tolerance by one block of 8, wherever in its block the late counter sits.
            for (long c = late + 1; c <= late + tolerated + 8 + 7; c++) {
                assertThat(beyond.markSeen(c)).isTrue();
            }
            assertThat(within.isFresh(late)).as("trial %d", trial).isTrue();
            assertThat(within.markSeen(late)).as("trial %d", trial).isTrue();
            assertThat(beyond.isFresh(late)).as("trial %d", trial).isFalse();
            assertThat(beyond.markSeen(late)).as("trial %d", trial).isFalse();
        }
    }

    @Test
    void shouldAcceptTheFirstCountersOfANewWindow() {
        final ReplayWindow window = new ReplayWindow();
        for (long c = 0; c < 64; c++) {
            assertThat(window.isFresh(c)).as("counter %d", c).isTrue();
            assertThat(window.markSeen(c)).as("counter %d", c).isTrue();
        }
        assertThat(window.markSeen(0)).isFalse();
    }

    @Test
    void shouldAcceptTheLast56BitCounterAndRefuseOutsideIt() {
        final ReplayWindow window = new ReplayWindow();
        assertThat(window.markSeen(AuthHeader.MAX_COUNTER)).isTrue();
        assertThat(window.markSeen(AuthHeader.MAX_COUNTER)).isFalse();
        assertThat(window.isFresh(AuthHeader.MAX_COUNTER + 1)).isFalse();
        assertThat(window.markSeen(AuthHeader.MAX_COUNTER + 1)).isFalse();
        assertThat(window.markSeen(-1)).isFalse();
    }

    @Test
    void shouldRefuseCounterFromTwoToThe37CountersAgo() {
        // Where a 32-bit block number beside a 32-bit bitmap would wrap and take the old counter for a new one.
        final ReplayWindow window = new ReplayWindow(64);
        final long old = 5;
        assertThat(window.markSeen(old)).isTrue();
        final long now = old + (1L << 37);
        for (long c = now - window.toleratedReordering(); c < now; c++) {
            window.markSeen(c);
        }
        assertThat(window.markSeen(old)).isFalse();
    }

    @Test
    void shouldTolerateAsManyCountersAsItsSlotsHoldLessOneBlock() {
        assertThat(new ReplayWindow().toleratedReordering()).isEqualTo(255 * 8);
        assertThat(new ReplayWindow(2).toleratedReordering()).isEqualTo(8);
    }

    @Test
    void shouldRefuseSlotCountThatIsNotAPowerOfTwo() {
        assertThatThrownBy(() -> new ReplayWindow(48)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReplayWindow(1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldLetExactlyOneOfFourRacingThreadsWinEachCounter() throws Exception {
        final int counters = 100_000;
        final int threads = 4;
        for (final int slots : new int[] {ReplayWindow.DEFAULT_SLOTS, 2}) {
            final ReplayWindow window = new ReplayWindow(slots);
            final AtomicIntegerArray wins = new AtomicIntegerArray(counters);
            final CountDownLatch start = new CountDownLatch(1);
            final ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                final List<Future<?>> racers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    racers.add(pool.submit(() -> {
                        start.await();
                        for (int c = 0; c < counters; c++) {
                            if (window.markSeen(c)) {
                                wins.incrementAndGet(c);
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (final Future<?> racer : racers) {
                    racer.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            for (int c = 0; c < counters; c++) {
                assertThat(wins.get(c)).as("winners of counter %d with %d slots", c, slots).isEqualTo(1);
            }
        }
    }
}
