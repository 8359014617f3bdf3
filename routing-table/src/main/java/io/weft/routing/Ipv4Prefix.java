package io.weft.routing;

/**
 * An IPv4 network in CIDR notation, such as {@code 10.244.1.0/24}: an address with no host bits set and its prefix
 * length.
 *
 * @param address the network address, in network byte order.
 * @param length  the prefix length, 0..32.
 */
public record Ipv4Prefix(int address, int length) {
    /** @throws IllegalArgumentException if {@code length} is outside 0..32 or {@code address} has host bits set. */
    public Ipv4Prefix {
        Ipv4Addresses.checkPrefix(address, length);
    }

    /**
     * Parses {@code "10.244.1.0/24"}.
     * <p>
     * Stricter than Go's {@code net.ParseCIDR}, which silently masks {@code "10.244.1.1/16"} to 10.244.0.0/16:
     * host bits are refused here, so a caller that wants Go's leniency masks the address itself.
     *
     * @throws IllegalArgumentException if {@code cidr} is not a dotted quad, a slash and a length 0..32 without
     *                                  leading zeros, or has host bits set.
     */
    public static Ipv4Prefix parse(final String cidr) {
        final int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("invalid IPv4 prefix \"" + cidr + "\": expected address/length");
        }
        final int length = Ipv4Addresses.parseDecimal(cidr, slash + 1, cidr.length(), 2);
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException(
                "invalid IPv4 prefix \"" + cidr + "\": expected a prefix length 0..32 after the slash");
        }
        return new Ipv4Prefix(Ipv4Addresses.parse(cidr.substring(0, slash)), length);
    }

    /** True when {@code address} lies inside this network. */
    public boolean contains(final int address) {
        return (address & Ipv4Addresses.mask(length)) == this.address;
    }

    /** The CIDR notation, such as {@code "10.244.1.0/24"}, that {@link #parse} reads back. */
    @Override
    public String toString() {
        return Ipv4Addresses.format(address) + "/" + length;
    }
}
