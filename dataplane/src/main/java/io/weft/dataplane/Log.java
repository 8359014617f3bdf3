package io.weft.dataplane;

import java.time.Instant;

/** weftd's log: one line per event on stderr, which the DaemonSet's container runtime collects. Control path only. */
final class Log
{
    private Log()
    {
    }

    static void info(final String message)
    {
        print("INFO", message);
    }

    static void warn(final String message)
    {
        print("WARN", message);
    }

    private static void print(final String level, final String message)
    {
        System.err.println(Instant.now() + " weftd " + level + " " + message);
    }
}
