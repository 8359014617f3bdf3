package io.weft.routing;

/**
 * IPv4 addresses as {@code int}s in network byte order (10.244.1.0 is {@code 0x0AF40100}): parsing, formatting and
 * masks.
 */
public final class Ipv4Addresses {
    private Ipv4Addresses() {
    }

    /**
     * Parses a dotted quad such as {@code "10.244.1.0"}.
     * <p>
     * Octets with leading zeros are rejected, as Go's {@code net.ParseIP} (and so flannel) does since Go 1.17, because
     * other parsers read them as octal.
     *
     * @throws IllegalArgumentException if {@code dotted} is not four decimal octets 0..255 separated by dots.
     */
    public static int parse(final String dotted) {
        final int length = dotted.length();
        int address = 0;
        int octets = 0;
        int start = 0;
        while (start <= length) {
            int end = dotted.indexOf('.', start);
            if (end < 0) {
                end = length;
            }
            final int octet = parseDecimal(dotted, start, end, 3);
            if (octet < 0 || octet > 255 || ++octets > 4) {
                throw malformed(dotted);
            }
            address = (address << 8) | octet;
            start = end + 1;
        }
        if (octets != 4) {
            throw malformed(dotted);
        }
        return address;
    }

    private static IllegalArgumentException malformed(final String dotted) {
        return new IllegalArgumentException(
            "invalid IPv4 address \"" + dotted + "\": expected four dotted decimal octets 0..255");
    }

    /** Formats {@code address} as a dotted quad such as {@code "10.244.1.0"}. */
    public static String format(final int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." +
            (address & 0xFF);
    }

    /**
     * The network mask of a prefix length: {@code mask(24)} is 255.255.255.0 ({@code 0xFFFFFF00}).
     *
     * @throws IllegalArgumentException if {@code prefixLength} is outside 0..32.
     */
    public static int mask(final int prefixLength) {
        checkPrefixLength(prefixLength);
        // Java masks shift distances to 5 bits, so -1 << 32 would be -1, not 0.
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    static void checkPrefixLength(final int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("IPv4 prefix length " + prefixLength + " is outside 0..32");
        }
    }

    /** Rejects a prefix length outside 0..32 and a prefix with host bits set, naming the network that was meant. */
    static void checkPrefix(final int prefix, final int prefixLength) {
        final int mask = mask(prefixLength);
        if ((prefix & ~mask) != 0) {
            throw new IllegalArgumentException(format(prefix) + "/" + prefixLength +
                " has host bits set beyond the prefix length; the network is " + format(prefix & mask) + "/" +
                prefixLength);
        }
    }

    /**
     * Parses {@code text[start, end)} as an unsigned decimal of 1 to {@code maxDigits} digits without leading zeros.
     *
     * @return the value, or -1 if the text is not such a number.
     */
    static int parseDecimal(final CharSequence text, final int start, final int end, final int maxDigits) {
        final int digits = end - start;
        if (digits < 1 || digits > maxDigits || (digits > 1 && text.charAt(start) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = start; i < end; i++) {
            final char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
