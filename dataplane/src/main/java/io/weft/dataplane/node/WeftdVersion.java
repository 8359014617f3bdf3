package io.weft.dataplane.node;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** weftd's version, from a resource Maven fills in at build time, so --version, the log and /metrics agree. */
final class WeftdVersion {
    /** What a build that skipped resource filtering (an IDE's) says. */
    static final String UNKNOWN = "unknown";
    static final String VERSION = read();

    private WeftdVersion() {
    }

    private static String read() {
        try (InputStream in = WeftdVersion.class.getResourceAsStream("weftd-version.properties")) {
            if (in == null) {
                return UNKNOWN;
            }
            final Properties properties = new Properties();
            properties.load(in);
            final String version = properties.getProperty("version", UNKNOWN);
            return version.isEmpty() || version.startsWith("${") ? UNKNOWN : version;
        } catch (final IOException e) {
            return UNKNOWN;
        }
    }
}
