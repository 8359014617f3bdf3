package io.weft.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Compares lookups with a linear scan over the same routes. A failure names the seed to rerun it with
 * {@code -Dweft.routing.seed=N}.
 */
class RouteTableRandomizedTest {
    private static final long SEED = Long.getLong("weft.routing.seed", 0x5EED_2024L);
    private static final int ROUTE_SETS = 200;
    private static final int LOOKUPS_PER_SET = 4_000;

    @Test
    void shouldMatchALinearScanWhenRouteSetsAreRandom() {
        final SplittableRandom seeds = new SplittableRandom(SEED);
        for (int set = 0; set < ROUTE_SETS; set++) {
            final long seed = seeds.nextLong();
            final SplittableRandom random = new SplittableRandom(seed);
            final RouteTable<Integer> table = new RouteTable<>();
            final Map<Long, Route<Integer>> reference = new LinkedHashMap<>();
            final int[] bases = bases(random);

            putAll(table, randomRoutes(random, bases, reference, 1 + random.nextInt(300)));
            checkAgainstReference(seed, "after put", random, bases, table.publish(), reference);

            removeRandomRoutes(random, table, reference);
            putAll(table, randomRoutes(random, bases, reference, random.nextInt(50)));
            checkAgainstReference(seed, "after churn", random, bases, table.publish(), reference);
        }
    }

    @Test
    void shouldMatchALinearScanWhenReplacingAllRoutes() {
        final SplittableRandom seeds = new SplittableRandom(SEED ^ 0xA11L);
        final RouteTable<Integer> table = new RouteTable<>();
        for (int set = 0; set < ROUTE_SETS / 4; set++) {
            final long seed = seeds.nextLong();
            final SplittableRandom random = new SplittableRandom(seed);
            final Map<Long, Route<Integer>> reference = new LinkedHashMap<>();
            final int[] bases = bases(random);
            // Every route made, in order, repeats included: the table must keep the later of two for one prefix.
            final List<Route<Integer>> made = randomRoutes(random, bases, reference, random.nextInt(300));
            if (!made.isEmpty()) {
                final Route<Integer> repeated = made.get(random.nextInt(made.size()));
                final Route<Integer> later = new Route<>(repeated.prefix(), repeated.prefixLength(), random.nextInt());
                made.add(later);
                reference.put(key(later.prefix(), later.prefixLength()), later);
            }

            table.replaceAll(made);
            checkAgainstReference(seed, "after replaceAll", random, bases, table.publish(), reference);
        }
    }

    /** A few network addresses that routes cluster around, so that many routes nest and straddle strides. */
    private static int[] bases(final SplittableRandom random) {
        final int[] bases = new int[1 + random.nextInt(4)];
        for (int i = 0; i < bases.length; i++) {
            bases[i] = random.nextInt() & Ipv4Addresses.mask(random.nextInt(8, 25));
        }
        return bases;
    }

    /** Adds {@code count} random routes to {@code reference}, where a later route replaces one of the same prefix. */
    private static List<Route<Integer>> randomRoutes(
        final SplittableRandom random, final int[] bases, final Map<Long, Route<Integer>> reference, final int count) {
        final List<Route<Integer>> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final int prefixLength = random.nextInt(33);
            final int address = random.nextInt(8) == 0 ? random.nextInt() : bases[random.nextInt(bases.length)] ^
                (random.nextInt() >>> random.nextInt(8, 32));
            final int prefix = address & Ipv4Addresses.mask(prefixLength);
            final Route<Integer> route = new Route<>(prefix, prefixLength, random.nextInt());
            reference.put(key(prefix, prefixLength), route);
            added.add(route);
        }
        return added;
    }

    private static void putAll(final RouteTable<Integer> table, final List<Route<Integer>> routes) {
        for (final Route<Integer> route : routes) {
            table.put(route.prefix(), route.prefixLength(), route.value());
        }
    }

    private static void removeRandomRoutes(
        final SplittableRandom random, final RouteTable<Integer> table, final Map<Long, Route<Integer>> reference) {
        for (final Route<Integer> route : new ArrayList<>(reference.values())) {
            if (random.nextBoolean()) {
                assertThat(table.remove(route.prefix(), route.prefixLength())).isEqualTo(route.value());
                reference.remove(key(route.prefix(), route.prefixLength()));
            }
        }
    }

    private static void checkAgainstReference(
        final long seed,
        final String phase,
        final SplittableRandom random,
        final int[] bases,
        final RouteSnapshot<Integer> snapshot,
        final Map<Long, Route<Integer>> reference) {
        final List<Route<Integer>> routes = new ArrayList<>(reference.values());
        assertThat(snapshot.size()).as(reproduce(seed, phase)).isEqualTo(routes.size());
        for (final Route<Integer> route : routes) {
            // The first and last address of every route, and their neighbours outside it.
            final int last = route.prefix() | ~Ipv4Addresses.mask(route.prefixLength());
            checkAddress(seed, phase, snapshot, routes, route.prefix());
            checkAddress(seed, phase, snapshot, routes, route.prefix() - 1);
            checkAddress(seed, phase, snapshot, routes, last);
            checkAddress(seed, phase, snapshot, routes, last + 1);
        }
        for (int i = 0; i < LOOKUPS_PER_SET; i++) {
            final int address = random.nextBoolean() ? random.nextInt() : bases[random.nextInt(bases.length)] ^
                (random.nextInt() >>> random.nextInt(0, 32));
            checkAddress(seed, phase, snapshot, routes, address);
        }
    }

    private static void checkAddress(
        final long seed,
        final String phase,
        final RouteSnapshot<Integer> snapshot,
        final List<Route<Integer>> routes,
        final int address) {
        final Route<Integer> expected = longestMatch(routes, address);
        final int routeIndex = snapshot.lookup(address);
        final Route<Integer> actual = routeIndex == RouteSnapshot.NO_ROUTE ? null :
            new Route<>(snapshot.prefix(routeIndex), snapshot.prefixLength(routeIndex), snapshot.value(routeIndex));
        if (!Objects.equals(actual, expected)) {
            final List<Route<Integer>> covering = new ArrayList<>();
            for (final Route<Integer> route : routes) {
                if ((address & Ipv4Addresses.mask(route.prefixLength())) == route.prefix()) {
                    covering.add(route);
                }
            }
            fail("%s: %s matched %s (index %d), expected %s; covering routes: %s",
                reproduce(seed, phase), Ipv4Addresses.format(address), actual, routeIndex, expected, covering);
        }
    }

    private static Route<Integer> longestMatch(final List<Route<Integer>> routes, final int address) {
        Route<Integer> best = null;
        for (final Route<Integer> route : routes) {
            final boolean covers = (address & Ipv4Addresses.mask(route.prefixLength())) == route.prefix();
            if (covers && (best == null || route.prefixLength() > best.prefixLength())) {
                best = route;
            }
        }
        return best;
    }

    private static String reproduce(final long setSeed, final String phase) {
        return "route set seed " + setSeed + " " + phase + " (rerun with -Dweft.routing.seed=" + SEED + ")";
    }

    private static long key(final int prefix, final int prefixLength) {
        return ((long)prefixLength << 32) | (prefix & 0xFFFF_FFFFL);
    }
}
