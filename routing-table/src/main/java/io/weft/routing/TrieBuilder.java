package io.weft.routing;

import java.util.Arrays;

/**
 * Fills the DIR-16-8-8 levels of one {@link RouteSnapshot} by prefix expansion. Single use.
 * <p>
 * Routes must arrive in ascending prefix length: a longer prefix then simply overwrites the entries it shares with a
 * shorter one, and a chunk, when a longer prefix first needs one, starts as a copy of the entry it replaces, so the
 * shorter prefixes it covered still match inside it.
 */
final class TrieBuilder {
    private static final int INITIAL_CHUNKS = 16;

    private final int[] level16;
    private int[] level24;
    private int[] level32;
    private int level24Chunks;
    private int level32Chunks;
    private int lastPrefixLength;

    /**
     * Builds the first level in {@code scratch16} (cleared first; {@link #build} publishes a copy, or the last
     * snapshot's own when equal), with room for as many chunks as the last build of the same routes needed: a
     * rebuild of thousands of routes for a subnet that came or went then neither grows its levels again nor leaves the
     * first level's 256 KiB as garbage when, as usual, no entry of it changed.
     */
    TrieBuilder(final int[] scratch16, final int expectedLevel24Chunks, final int expectedLevel32Chunks) {
        if (scratch16.length != RouteSnapshot.LEVEL16_ENTRIES) {
            throw new IllegalArgumentException("a first level has " + RouteSnapshot.LEVEL16_ENTRIES + " entries");
        }
        level16 = scratch16;
        Arrays.fill(level16, 0);
        level24 = new int[Math.max(INITIAL_CHUNKS, expectedLevel24Chunks) * RouteSnapshot.CHUNK_ENTRIES];
        level32 = new int[Math.max(INITIAL_CHUNKS, expectedLevel32Chunks) * RouteSnapshot.CHUNK_ENTRIES];
    }

    /** Adds a valid prefix no shorter than the previous one. */
    void add(final int routeIndex, final int prefix, final int prefixLength) {
        if (prefixLength < lastPrefixLength) {
            throw new IllegalStateException("/" + prefixLength + " added after /" + lastPrefixLength);
        }
        lastPrefixLength = prefixLength;
        final int leaf = routeIndex + 1;
        final int slot16 = prefix >>> 16;
        if (prefixLength <= 16) {
            Arrays.fill(level16, slot16, slot16 + (1 << (16 - prefixLength)), leaf);
            return;
        }

        final int slot24 = (chunk24(slot16) << 8) | ((prefix >>> 8) & 0xFF);
        if (prefixLength <= 24) {
            Arrays.fill(level24, slot24, slot24 + (1 << (24 - prefixLength)), leaf);
            return;
        }

        final int slot32 = (chunk32(slot24) << 8) | (prefix & 0xFF);
        Arrays.fill(level32, slot32, slot32 + (1 << (32 - prefixLength)), leaf);
    }

    /** The snapshot, whose first level is {@code lastLevel16} itself if equal: snapshots never write their levels. */
    <V> RouteSnapshot<V> build(final int[] prefixes, final byte[] prefixLengths, final Object[] values,
        final int[] lastLevel16) {
        // Trimmed so that a long-lived snapshot holds no spare capacity (none to trim when sized as expected).
        return new RouteSnapshot<>(
            Arrays.equals(level16, lastLevel16) ? lastLevel16 : level16.clone(),
            trimmed(level24, level24Chunks),
            trimmed(level32, level32Chunks),
            prefixes,
            prefixLengths,
            values);
    }

    private static int[] trimmed(final int[] level, final int chunks) {
        final int length = chunks * RouteSnapshot.CHUNK_ENTRIES;
        return level.length == length ? level : Arrays.copyOf(level, length);
    }

    private int chunk24(final int slot16) {
        final int entry = level16[slot16];
        if (entry < 0) {
            return ~entry;
        }
        final int chunk = level24Chunks++;
        level24 = ensureChunk(level24, chunk, entry);
        level16[slot16] = ~chunk;
        return chunk;
    }

    private int chunk32(final int slot24) {
        final int entry = level24[slot24];
        if (entry < 0) {
            return ~entry;
        }
        final int chunk = level32Chunks++;
        level32 = ensureChunk(level32, chunk, entry);
        level24[slot24] = ~chunk;
        return chunk;
    }

    /** Makes room for {@code chunk} in {@code level} and fills it with the entry it inherits. */
    private static int[] ensureChunk(final int[] level, final int chunk, final int inherited) {
        final int from = chunk * RouteSnapshot.CHUNK_ENTRIES;
        final int to = from + RouteSnapshot.CHUNK_ENTRIES;
        final int[] grown = to <= level.length ? level : Arrays.copyOf(level, Math.max(to, level.length * 2));
        if (inherited != 0) {
            Arrays.fill(grown, from, to, inherited);
        }
        return grown;
    }
}
