package io.weft.routing;

import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;

/**
 * The writer side of the IPv4 route table: it keeps the routes and publishes immutable {@link RouteSnapshot}s that
 * any number of readers look up without locks.
 * <p>
 * Only one thread may call {@link #put}, {@link #remove}, {@link #replaceAll} and {@link #publish}; changes reach
 * readers at the next {@code publish()}, so a batch of changes becomes visible at once. {@link #snapshot()} is safe
 * from any thread; a reader loads it once per batch of packets and uses that snapshot for the whole batch.
 *
 * @param <V> the route value type, such as the peer to send to; values must be safe to share between threads.
 */
public final class RouteTable<V> {
    /** replaceAll sorts routes as one long each: key bits above, the route's place in its collection below. */
    private static final int PLACE_BITS = 25;
    private static final int MAX_ROUTES = 1 << PLACE_BITS;

    /*
     * Sorted by prefix length, then prefix (unsigned), so that iteration yields the ascending length order that
     * TrieBuilder needs and numbers routes the same way for the same routes. Primitive arrays rather than a sorted map:
     * when the control plane replaced every route on each lease change, thousands of them, boxed keys and map entries
     * were most of that work and its garbage; a put or remove is an array copy.
     */
    private long[] keys = new long[0];
    private Object[] values = new Object[0];
    private int size;
    /** The keys of the last snapshot built, to tell a change of values only from a change of prefixes. */
    private long[] publishedKeys = new long[0];
    /** Where each build lays out the first level; never published (a snapshot gets a copy, or shares the last's). */
    private final int[] scratch16 = new int[RouteSnapshot.LEVEL16_ENTRIES];
    private boolean changedSincePublish;
    private volatile RouteSnapshot<V> snapshot = RouteSnapshot.empty();

    /**
     * Adds or replaces the route for {@code prefix/prefixLength}.
     *
     * @return the value it replaced, or null.
     * @throws IllegalArgumentException if the prefix length is outside 0..32 or the prefix has host bits set.
     */
    public V put(final int prefix, final int prefixLength, final V value) {
        Ipv4Addresses.checkPrefix(prefix, prefixLength);
        Objects.requireNonNull(value, "value");
        changedSincePublish = true;
        final long key = key(prefix, prefixLength);
        final int at = Arrays.binarySearch(keys, 0, size, key);
        if (at >= 0) {
            final V replaced = valueAt(at);
            values[at] = value;
            return replaced;
        }
        final int insertAt = -at - 1;
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, Math.max(4, size * 2));
            values = Arrays.copyOf(values, keys.length);
        }
        System.arraycopy(keys, insertAt, keys, insertAt + 1, size - insertAt);
        System.arraycopy(values, insertAt, values, insertAt + 1, size - insertAt);
        keys[insertAt] = key;
        values[insertAt] = value;
        size++;
        return null;
    }

    /**
     * Removes the route for exactly {@code prefix/prefixLength}, if there is one.
     *
     * @return the value it removed, or null.
     * @throws IllegalArgumentException if the prefix length is outside 0..32 or the prefix has host bits set.
     */
    public V remove(final int prefix, final int prefixLength) {
        Ipv4Addresses.checkPrefix(prefix, prefixLength);
        final int at = Arrays.binarySearch(keys, 0, size, key(prefix, prefixLength));
        if (at < 0) {
            return null;
        }
        final V removed = valueAt(at);
        System.arraycopy(keys, at + 1, keys, at, size - at - 1);
        System.arraycopy(values, at + 1, values, at, size - at - 1);
        values[--size] = null;
        changedSincePublish = true;
        return removed;
    }

    /**
     * Replaces every route with {@code newRoutes}, as when the control plane reconciles a fresh snapshot of the
     * leases. A later route for the same prefix wins. On an exception no route has changed.
     */
    public void replaceAll(final Collection<Route<V>> newRoutes) {
        // One array of what the collection holds, so that its size and its elements are read together.
        final Object[] routes = newRoutes.toArray();
        final int count = routes.length;
        if (count > MAX_ROUTES) {
            throw new IllegalArgumentException(count + " routes: a table holds at most " + MAX_ROUTES);
        }
        final long[] sorted = new long[count];
        final Object[] given = new Object[count];
        for (int place = 0; place < count; place++) {
            @SuppressWarnings("unchecked")
            final Route<V> route = (Route<V>)routes[place];
            given[place] = route.value();
            sorted[place] = key(route.prefix(), route.prefixLength()) << PLACE_BITS | place;
        }
        Arrays.sort(sorted);
        final long[] newKeys = new long[count];
        final Object[] newValues = new Object[count];
        int distinct = 0;
        for (int i = 0; i < count; i++) {
            final long key = sorted[i] >>> PLACE_BITS;
            // Equal keys sort by their place: the last of them is the latest route, which wins.
            if (i + 1 < count && sorted[i + 1] >>> PLACE_BITS == key) {
                continue;
            }
            newKeys[distinct] = key;
            newValues[distinct] = given[(int)(sorted[i] & (MAX_ROUTES - 1))];
            distinct++;
        }
        keys = newKeys;
        values = newValues;
        size = distinct;
        changedSincePublish = true;
    }

    /**
     * Builds a snapshot of the current routes and makes it the one {@link #snapshot()} returns. Without changes
     * since the last publish it returns the current snapshot without building one.
     */
    public RouteSnapshot<V> publish() {
        if (!changedSincePublish) {
            return snapshot;
        }
        final RouteSnapshot<V> last = snapshot;
        if (Arrays.equals(keys, 0, size, publishedKeys, 0, publishedKeys.length)) {
            // The same prefixes with other values (a lease renewed, a node's address changed): the lookup levels are
            // the last snapshot's, shared, and only the values are new; a rebuild would be all garbage.
            final RouteSnapshot<V> published = last.withValues(Arrays.copyOf(values, size));
            snapshot = published;
            changedSincePublish = false;
            return published;
        }
        final int[] prefixes = new int[size];
        final byte[] prefixLengths = new byte[size];
        final TrieBuilder trie = new TrieBuilder(scratch16, last.level24Chunks(), last.level32Chunks());
        for (int i = 0; i < size; i++) {
            final int prefix = (int)keys[i];
            final int prefixLength = (int)(keys[i] >>> 32);
            prefixes[i] = prefix;
            prefixLengths[i] = (byte)prefixLength;
            trie.add(i, prefix, prefixLength);
        }
        final RouteSnapshot<V> published = trie.build(prefixes, prefixLengths, Arrays.copyOf(values, size),
            last.level16());
        publishedKeys = Arrays.copyOf(keys, size);
        snapshot = published;
        changedSincePublish = false;
        return published;
    }

    /** The last published snapshot: a volatile read, safe from any thread. */
    public RouteSnapshot<V> snapshot() {
        return snapshot;
    }

    @SuppressWarnings("unchecked")
    private V valueAt(final int index) {
        return (V)values[index];
    }

    private static long key(final int prefix, final int prefixLength) {
        return ((long)prefixLength << 32) | (prefix & 0xFFFF_FFFFL);
    }
}
