package io.weft.log;

import java.time.Instant;

/**
 * weftd's log: one line per event on stderr, {@code <instant> weftd INFO|WARN message}, which the DaemonSet's
 * container runtime collects. Control path only; shared by the registry, its etcd package and the dataplane.
 */
public final class Log {
    private Log() {
    }

    public static void info(final String message) {
        print("INFO", message);
    }

    public static void warn(final String message) {
        print("WARN", message);
    }

    private static void print(final String level, final String message) {
        System.err.println(Instant.now() + " weftd " + level + " " + message);
    }
}
