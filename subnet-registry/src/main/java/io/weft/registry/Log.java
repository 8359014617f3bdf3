package io.weft.registry;

import java.time.Instant;

/**
 * weftd's log as the registry writes it: one line per event on stderr, {@code <instant> weftd INFO|WARN message}.
 * Control path only. Public so that the etcd package shares it.
 */
public final class Log
{
    private Log()
    {
    }

    public static void info(final String message)
    {
        print("INFO", message);
    }

    public static void warn(final String message)
    {
        print("WARN", message);
    }

    private static void print(final String level, final String message)
    {
        System.err.println(Instant.now() + " weftd " + level + " " + message);
    }
}
