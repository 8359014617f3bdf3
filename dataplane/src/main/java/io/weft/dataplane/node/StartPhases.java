package io.weft.dataplane.node;

import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Where a start's setup time went, step by step, for the log line that says weftd forwards: a slow start names its
 * slow step (the registry, the device, iptables, the first snapshot) without a profiler on the node. The JVM's own
 * start is before the "starting" line, whose time stamp a launcher compares with its launch.
 */
final class StartPhases {
    private final StringJoiner steps = new StringJoiner(", ");
    private final LongSupplier nanoTime;
    private final long started;
    private long stepStart;

    StartPhases() {
        this(System::nanoTime);
    }

    StartPhases(final LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.started = nanoTime.getAsLong();
        this.stepStart = started;
    }

    /** Ends the step named {@code name}, which took from the last step's end until now. */
    void ended(final String name) {
        final long now = nanoTime.getAsLong();
        steps.add(name + " " + TimeUnit.NANOSECONDS.toMillis(now - stepStart));
        stepStart = now;
    }

    /** {@code "set up in 310 ms (registry 35, ...)"}: the whole and each step's milliseconds in the order they ran. */
    String summary() {
        return "set up in " + TimeUnit.NANOSECONDS.toMillis(stepStart - started) + " ms (" + steps + ")";
    }
}
