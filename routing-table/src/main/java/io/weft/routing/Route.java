package io.weft.routing;

import java.util.Objects;

/**
 * One route for {@link RouteTable#replaceAll}: packets to addresses inside {@code prefix/prefixLength} go to
 * {@code value}.
 *
 * @param prefix       the network address, in network byte order, with no host bits set.
 * @param prefixLength 0..32; 0 is the default route.
 * @param value        what the dataplane needs to forward there, such as the peer's socket address; not null.
 * @param <V>          the value type.
 */
public record Route<V>(int prefix, int prefixLength, V value) {
    /** @throws IllegalArgumentException if the prefix length is outside 0..32 or the prefix has host bits set. */
    public Route {
        Ipv4Addresses.checkPrefix(prefix, prefixLength);
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return Ipv4Addresses.format(prefix) + "/" + prefixLength + " -> " + value;
    }
}
