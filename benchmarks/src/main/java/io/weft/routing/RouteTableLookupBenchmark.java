package io.weft.routing;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link RouteSnapshot#lookup} with 1 to 65,536 routes: random /24s inside 10.0.0.0/8 (at 65,536 that is every /24 of
 * the /8), looked up with addresses that hit a route and addresses that no route covers. One operation is one lookup;
 * each invocation walks {@value #ADDRESSES} precomputed addresses so the loop, not JMH, dominates the overhead.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class RouteTableLookupBenchmark {
    static final int ADDRESSES = 1024;
    static final int NETWORK = 10 << 24;
    static final int SLASH24_IN_SLASH8 = 1 << 16;
    private static final long SEED = 0x5EED_0004L;

    @Param({"1", "16", "256", "4096", "65536"})
    public int routes;

    private RouteSnapshot<Integer> snapshot;
    private int[] hits;
    private int[] misses;

    @Setup
    public void setUp() {
        final Random random = new Random(SEED);
        final int[] slash24s = shuffledSlash24s(random);
        final RouteTable<Integer> table = new RouteTable<>();
        for (int i = 0; i < routes; i++) {
            table.put(NETWORK | slash24s[i] << 8, 24, i);
        }
        snapshot = table.publish();
        hits = new int[ADDRESSES];
        misses = new int[ADDRESSES];
        for (int i = 0; i < ADDRESSES; i++) {
            hits[i] = NETWORK | slash24s[random.nextInt(routes)] << 8 | random.nextInt(256);
            misses[i] = routes < SLASH24_IN_SLASH8 ?
                NETWORK | slash24s[routes + random.nextInt(SLASH24_IN_SLASH8 - routes)] << 8 | random.nextInt(256) :
                // Every /24 of 10/8 is routed: miss from 11.0.0.0/8 instead.
                (11 << 24) | random.nextInt(1 << 24);
        }
    }

    @Benchmark
    @OperationsPerInvocation(ADDRESSES)
    public int lookupHit() {
        return lookupAll(hits);
    }

    @Benchmark
    @OperationsPerInvocation(ADDRESSES)
    public int lookupMiss() {
        return lookupAll(misses);
    }

    int[] hits() {
        return hits;
    }

    int[] misses() {
        return misses;
    }

    RouteSnapshot<Integer> snapshot() {
        return snapshot;
    }

    private int lookupAll(final int[] addresses) {
        final RouteSnapshot<Integer> routes = snapshot;
        int sum = 0;
        for (final int address : addresses) {
            sum += routes.lookup(address);
        }
        return sum;
    }

    /** The 65,536 /24s of the /8 (second and third octet) in random order: the first {@code routes} get routes. */
    private static int[] shuffledSlash24s(final Random random) {
        final int[] slash24s = new int[SLASH24_IN_SLASH8];
        for (int i = 0; i < slash24s.length; i++) {
            slash24s[i] = i;
        }
        for (int i = slash24s.length - 1; i > 0; i--) {
            final int j = random.nextInt(i + 1);
            final int swap = slash24s[i];
            slash24s[i] = slash24s[j];
            slash24s[j] = swap;
        }
        return slash24s;
    }
}
