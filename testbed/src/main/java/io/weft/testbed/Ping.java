package io.weft.testbed;

import java.time.Duration;
import java.util.List;

/** Runs iputils {@code ping} inside a namespace: N echo requests 200 ms apart, 1 s wait for each reply. */
public final class Ping {
    private static final double INTERVAL_S = 0.2;

    private Ping() {
    }

    public static boolean isAvailable() {
        return Shell.onPath("ping");
    }

    /** Pings {@code ip} {@code count} times from {@code from}; a run with lost replies is a result, not an error. */
    public static PingResult run(Netns from, String ip, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
        Duration timeout = Duration.ofMillis((long) (count * INTERVAL_S * 1000) + 10_000);
        List<String> command = List.of("ping", "-n", "-c", Integer.toString(count), "-i", Double.toString(INTERVAL_S),
            "-W", "1", ip);
        ExecResult result = from.exec(timeout, command);
        // iputils: exit 1 = some reply missing, 2 = error (unknown host, no route): then there is no summary.
        if (result.exitCode() > 1) {
            throw new TestbedException("ping in " + from.name() + " failed: " + result.describe());
        }
        return PingResult.parse(result.stdout());
    }
}
