package io.weft.routing;

/**
 * An immutable longest-prefix-match view of a {@link RouteTable}, looked up without locks or allocation.
 * <p>
 * The layout is DIR-16-8-8 (Gupta, Lin and McKeown, "Routing Lookups in Hardware at Memory Access Speeds", 1998,
 * with a third level): {@code level16} is indexed by the top 16 bits of the address, a 256-entry chunk of
 * {@code level24} by the third octet and a chunk of {@code level32} by the fourth. An entry is 0 for no route,
 * {@code routeIndex + 1} for a route, or {@code ~chunk} (negative) for a reference to a chunk of the next level.
 * Shorter prefixes are expanded into every entry they cover, so a lookup reads at most three ints whatever the
 * number of routes.
 * <p>
 * A route index is valid in the snapshot that returned it only: the next snapshot may number routes differently.
 *
 * @param <V> the route value type.
 */
public final class RouteSnapshot<V> {
    /** What {@link #lookup} returns when no route covers the address. */
    public static final int NO_ROUTE = -1;

    static final int LEVEL16_ENTRIES = 1 << 16;
    static final int CHUNK_ENTRIES = 1 << 8;

    private static final RouteSnapshot<?> EMPTY =
        new RouteSnapshot<>(new int[LEVEL16_ENTRIES], new int[0], new int[0], new int[0], new byte[0], new Object[0]);

    private final int[] level16;
    private final int[] level24;
    private final int[] level32;
    private final int[] prefixes;
    private final byte[] prefixLengths;
    private final Object[] values;

    /** Takes ownership of the arrays, which no one may write afterwards. */
    RouteSnapshot(
        final int[] level16,
        final int[] level24,
        final int[] level32,
        final int[] prefixes,
        final byte[] prefixLengths,
        final Object[] values) {
        this.level16 = level16;
        this.level24 = level24;
        this.level32 = level32;
        this.prefixes = prefixes;
        this.prefixLengths = prefixLengths;
        this.values = values;
    }

    /** The snapshot without routes, which a new {@link RouteTable} publishes until its first {@code publish()}. */
    @SuppressWarnings("unchecked")
    public static <V> RouteSnapshot<V> empty() {
        return (RouteSnapshot<V>)EMPTY;
    }

    /** The index of the longest prefix that covers {@code address}, or {@link #NO_ROUTE}. */
    public int lookup(final int address) {
        int entry = level16[address >>> 16];
        if (entry < 0) {
            entry = level24[(~entry << 8) | ((address >>> 8) & 0xFF)];
            if (entry < 0) {
                entry = level32[(~entry << 8) | (address & 0xFF)];
            }
        }
        return entry - 1;
    }

    /** The value of a route index that {@link #lookup} of this snapshot returned. */
    @SuppressWarnings("unchecked")
    public V value(final int routeIndex) {
        return (V)values[routeIndex];
    }

    public int prefix(final int routeIndex) {
        return prefixes[routeIndex];
    }

    public int prefixLength(final int routeIndex) {
        return prefixLengths[routeIndex];
    }

    /** The number of routes; their indexes are 0 to {@code size() - 1}. */
    public int size() {
        return values.length;
    }

    /** This snapshot's prefixes and lookup levels, shared (no one writes them), with other values. */
    RouteSnapshot<V> withValues(final Object[] newValues) {
        if (newValues.length != values.length) {
            throw new IllegalArgumentException(newValues.length + " values for " + values.length + " routes");
        }
        return new RouteSnapshot<>(level16, level24, level32, prefixes, prefixLengths, newValues);
    }

    int[] level16() {
        return level16;
    }

    int level24Chunks() {
        return level24.length / CHUNK_ENTRIES;
    }

    int level32Chunks() {
        return level32.length / CHUNK_ENTRIES;
    }

    @Override
    public String toString() {
        return "RouteSnapshot{routes=" + values.length + ", level24Chunks=" + level24Chunks() +
            ", level32Chunks=" + level32Chunks() + '}';
    }
}
