package io.weft.routing;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

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
    /*
     * Keyed by prefix length, then prefix (unsigned), so that iteration yields the ascending length order that
     * TrieBuilder needs and numbers routes the same way for the same routes.
     */
    private TreeMap<Long, V> routes = new TreeMap<>();
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
        return routes.put(key(prefix, prefixLength), value);
    }

    /**
     * Removes the route for exactly {@code prefix/prefixLength}, if there is one.
     *
     * @return the value it removed, or null.
     * @throws IllegalArgumentException if the prefix length is outside 0..32 or the prefix has host bits set.
     */
    public V remove(final int prefix, final int prefixLength) {
        Ipv4Addresses.checkPrefix(prefix, prefixLength);
        final V removed = routes.remove(key(prefix, prefixLength));
        changedSincePublish |= removed != null;
        return removed;
    }

    /**
     * Replaces every route with {@code newRoutes}, as when the control plane reconciles a fresh snapshot of the
     * leases. A later route for the same prefix wins. On an exception no route has changed.
     */
    public void replaceAll(final Collection<Route<V>> newRoutes) {
        final TreeMap<Long, V> replacement = new TreeMap<>();
        for (final Route<V> route : newRoutes) {
            replacement.put(key(route.prefix(), route.prefixLength()), route.value());
        }
        routes = replacement;
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
        final int size = routes.size();
        final int[] prefixes = new int[size];
        final byte[] prefixLengths = new byte[size];
        final Object[] values = new Object[size];
        final TrieBuilder trie = new TrieBuilder();
        int routeIndex = 0;
        for (final Map.Entry<Long, V> route : routes.entrySet()) {
            final long key = route.getKey();
            final int prefix = (int)key;
            final int prefixLength = (int)(key >>> 32);
            prefixes[routeIndex] = prefix;
            prefixLengths[routeIndex] = (byte)prefixLength;
            values[routeIndex] = route.getValue();
            trie.add(routeIndex, prefix, prefixLength);
            routeIndex++;
        }
        final RouteSnapshot<V> published = trie.build(prefixes, prefixLengths, values);
        snapshot = published;
        changedSincePublish = false;
        return published;
    }

    /** The last published snapshot: a volatile read, safe from any thread. */
    public RouteSnapshot<V> snapshot() {
        return snapshot;
    }

    private static long key(final int prefix, final int prefixLength) {
        return ((long)prefixLength << 32) | (prefix & 0xFFFF_FFFFL);
    }
}
