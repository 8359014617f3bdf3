package io.weft.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Readers look up while the writer republishes. Every route the writer puts for generation g has the value g, so a
 * reader that sees two generations inside one snapshot has caught a torn table.
 */
class RouteTableConcurrencyTest {
    private static final long SEED = Long.getLong("weft.routing.seed", 0xC0_CC0L);
    private static final int GENERATIONS = 3_000;
    private static final int READERS = 2;
    private static final long READER_DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);

    /** Covered by the default route only: its value names the snapshot's generation. */
    private static final int GENERATION_ADDRESS = Ipv4Addresses.parse("192.0.2.1");
    /** Churn routes live inside 172.16.0.0/12, away from the probes, with the generation that added them. */
    private static final int CHURN_NETWORK = Ipv4Addresses.parse("172.16.0.0");
    private static final int CHURN_HOST_BITS = ~Ipv4Addresses.mask(12);
    private static final int[] PROBES = probes();

    private final RouteTable<Integer> table = new RouteTable<>();
    private final AtomicReference<String> failure = new AtomicReference<>();

    @Test
    void shouldNeverMixGenerationsWhenWriterRepublishesUnderReaders() throws InterruptedException {
        final Writer writer = new Writer(new SplittableRandom(SEED));
        writer.publishGeneration(1);
        final CountDownLatch started = new CountDownLatch(READERS);
        final List<Thread> readers = new ArrayList<>();
        final Reader[] readerStates = new Reader[READERS];
        for (int i = 0; i < READERS; i++) {
            readerStates[i] = new Reader(new SplittableRandom(SEED + i + 1), started);
            final Thread thread = new Thread(readerStates[i], "route-reader-" + i);
            thread.start();
            readers.add(thread);
        }
        started.await();

        for (int generation = 2; generation <= GENERATIONS && failure.get() == null; generation++) {
            writer.publishGeneration(generation);
        }
        for (final Thread reader : readers) {
            reader.join(TimeUnit.NANOSECONDS.toMillis(READER_DEADLINE_NS) + 1_000);
        }

        assertThat(failure.get()).as("seed %d (rerun with -Dweft.routing.seed=%d)", SEED, SEED).isNull();
        for (final Reader reader : readerStates) {
            assertThat(reader.lastGeneration).as("the final generation reached every reader").isEqualTo(GENERATIONS);
        }
    }

    private static int[] probes() {
        final int[] probes = new int[64];
        for (int k = 0; k < 32; k++) {
            // Half share one /16 (level-24 chunks under one entry), half spread over many /16s.
            probes[k] = Ipv4Addresses.parse("10.244." + (k * 7) + "." + (k + 1));
            probes[32 + k] = Ipv4Addresses.parse("10." + k + "." + (255 - k) + "." + (k * 8));
        }
        return probes;
    }

    private void fail(final String message) {
        failure.compareAndSet(null, message);
    }

    /** The single writer: on every generation, moves each probe to a route of a random length valued g. */
    private final class Writer {
        private final SplittableRandom random;
        private final List<Route<Integer>> probeRoutes = new ArrayList<>();
        private final List<Route<Integer>> churnRoutes = new ArrayList<>();

        Writer(final SplittableRandom random) {
            this.random = random;
        }

        void publishGeneration(final int generation) {
            for (final Route<Integer> route : probeRoutes) {
                table.remove(route.prefix(), route.prefixLength());
            }
            probeRoutes.clear();
            table.put(0, 0, generation);
            for (final int probe : PROBES) {
                // Sometimes none, so the default route answers; lengths from 9 keep the generation address apart.
                if (random.nextInt(8) != 0) {
                    final int prefixLength = random.nextInt(9, 33);
                    final Route<Integer> route =
                        new Route<>(probe & Ipv4Addresses.mask(prefixLength), prefixLength, generation);
                    table.put(route.prefix(), route.prefixLength(), route.value());
                    probeRoutes.add(route);
                }
            }
            churn(generation);
            table.publish();
        }

        private void churn(final int generation) {
            for (int i = 0; i < 4 && !churnRoutes.isEmpty(); i++) {
                final Route<Integer> route = churnRoutes.remove(random.nextInt(churnRoutes.size()));
                table.remove(route.prefix(), route.prefixLength());
            }
            for (int i = 0; i < 4; i++) {
                final int prefixLength = random.nextInt(13, 33);
                final int prefix = (CHURN_NETWORK | (random.nextInt() & CHURN_HOST_BITS)) &
                    Ipv4Addresses.mask(prefixLength);
                if (table.put(prefix, prefixLength, generation) == null) {
                    churnRoutes.add(new Route<>(prefix, prefixLength, generation));
                }
            }
        }
    }

    /** Checks each snapshot it loads, until it has seen the last generation or the deadline. */
    private final class Reader implements Runnable {
        private final SplittableRandom random;
        private final CountDownLatch started;
        private volatile int lastGeneration;

        Reader(final SplittableRandom random, final CountDownLatch started) {
            this.random = random;
            this.started = started;
        }

        @Override
        public void run() {
            started.countDown();
            final long deadlineNs = System.nanoTime() + READER_DEADLINE_NS;
            while (lastGeneration != GENERATIONS && failure.get() == null) {
                if (System.nanoTime() - deadlineNs > 0) {
                    fail(Thread.currentThread().getName() + " is stale: still at generation " + lastGeneration);
                    return;
                }
                check(table.snapshot());
            }
        }

        private void check(final RouteSnapshot<Integer> snapshot) {
            final int generation = valueAt(snapshot, GENERATION_ADDRESS);
            if (generation < lastGeneration) {
                fail("generation went back from " + lastGeneration + " to " + generation);
            }
            lastGeneration = generation;
            for (final int probe : PROBES) {
                final int value = valueAt(snapshot, probe);
                if (value != generation) {
                    fail("snapshot of generation " + generation + " routes " + Ipv4Addresses.format(probe) +
                        " with a route of generation " + value);
                }
            }
            for (int i = 0; i < 16; i++) {
                final int address = CHURN_NETWORK | (random.nextInt() & CHURN_HOST_BITS);
                final int value = valueAt(snapshot, address);
                if (value > generation) {
                    fail("snapshot of generation " + generation + " routes " + Ipv4Addresses.format(address) +
                        " with a route of later generation " + value);
                }
            }
        }

        /** The value of the route for {@code address}, after checking that the route really covers it. */
        private int valueAt(final RouteSnapshot<Integer> snapshot, final int address) {
            final int routeIndex = snapshot.lookup(address);
            if (routeIndex == RouteSnapshot.NO_ROUTE) {
                fail("no route to " + Ipv4Addresses.format(address) + " despite the default route");
                return -1;
            }
            final int prefixLength = snapshot.prefixLength(routeIndex);
            if ((address & Ipv4Addresses.mask(prefixLength)) != snapshot.prefix(routeIndex)) {
                fail(Ipv4Addresses.format(address) + " matched a route that does not cover it: " +
                    Ipv4Addresses.format(snapshot.prefix(routeIndex)) + "/" + prefixLength);
            }
            return snapshot.value(routeIndex);
        }
    }
}
