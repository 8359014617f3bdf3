package io.weft.testbed;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls for what a daemon does on its own schedule (a repair checked every few seconds), never longer than told. */
public final class Await {
    private static final long POLL_MS = 100;

    private Await() {
    }

    /** True as soon as {@code condition} holds; false when it still does not after {@code timeout}. */
    public static boolean until(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            ManagedProcess.sleepMs(POLL_MS);
        }
        return true;
    }
}
