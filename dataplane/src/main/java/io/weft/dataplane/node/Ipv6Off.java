package io.weft.dataplane.node;

import io.weft.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps the kernel from giving an IPv4-only device IPv6: flannel0 carries IPv4 alone, yet with IPv6 on the kernel
 * gives it a link-local address when it goes up and sends router solicitations and MLD reports from it, which the
 * lanes read and can only drop ({@code not_ipv4}). {@code disable_ipv6} before the link goes up keeps the address
 * from being made; on a link already up it removes it.
 */
final class Ipv6Off {
    private static final Path CONF = Path.of("/proc/sys/net/ipv6/conf");

    private Ipv6Off() {
    }

    /** Best effort: a kernel without IPv6 has no such file, which is what we want; a refusal only costs drops. */
    static void disable(final String device) {
        disable(CONF, device);
    }

    static void disable(final Path conf, final String device) {
        final Path file = conf.resolve(device).resolve("disable_ipv6");
        if (!Files.exists(file)) {
            return;
        }
        try {
            Files.writeString(file, "1", StandardCharsets.US_ASCII);
        } catch (final IOException e) {
            Log.warn("cannot turn IPv6 off on " + device + " (" + file + ": " + e + "): the kernel's own IPv6 " +
                "packets from it will be counted as not_ipv4 drops");
        }
    }
}
