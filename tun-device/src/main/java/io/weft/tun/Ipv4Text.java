package io.weft.tun;

/** Dotted-quad text for error messages; this module has no other use for address formatting. */
final class Ipv4Text {
    private Ipv4Text() {
    }

    static String format(final int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." +
            (address & 0xFF);
    }
}
