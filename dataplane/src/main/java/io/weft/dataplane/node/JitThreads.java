package io.weft.dataplane.node;

import io.weft.log.Log;
import io.weft.tun.IdlePolicy;
import io.weft.tun.NativeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Once weftd forwards, its JIT compiler threads run only when nothing else on their CPU wants to (SCHED_IDLE).
 * A lane that handles one packet now and then (a ping, a probe) still crosses the compiler's thresholds long after
 * bulk traffic compiled the rest; each compilation then held the lane's core for one to several milliseconds while
 * the lane waited with the packet in hand: the largest cause of slow ping replies that was weftd's own
 * (docs/idle-and-latency.md). Under SCHED_IDLE a lane that wakes, or yields while polling, gets the core back at once.
 * The start's compilations, before forwarding, keep the normal policy, so the start is not slowed.
 */
final class JitThreads {
    private static final Path TASKS = Path.of("/proc/self/task");
    /** HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1"; the kernel keeps 15 characters. */
    private static final List<String> NAME_PREFIXES = List.of("C1 CompilerThre", "C2 CompilerThre");

    private JitThreads() {
    }

    /**
     * Best effort: where the kernel refuses, the compiler keeps the normal policy and only latency suffers. The
     * compiler threads HotSpot adds later are started by a compiler thread, and so inherit the policy.
     */
    static void runWhenIdle() {
        final List<Integer> tids = compilerThreads(TASKS);
        if (tids.isEmpty()) {
            Log.warn("--jit-threads idle: no JIT compiler thread in " + TASKS + " (an interpreter-only JVM?):"
                + " nothing to do");
            return;
        }
        try {
            for (final int tid : tids) {
                IdlePolicy.set(tid);
            }
            Log.info("JIT compiler threads " + tids + " run when their CPU is otherwise idle (SCHED_IDLE)");
        } catch (NativeException e) {
            Log.warn("--jit-threads idle: " + e.getMessage() + "; the JIT compiler keeps the normal policy, and"
                + " lanes may wait for its compilations");
        }
    }

    /** The ids of the threads under {@code tasks} (a /proc/PID/task) whose names are HotSpot's compilers'. */
    static List<Integer> compilerThreads(final Path tasks) {
        final List<Integer> tids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tasks)) {
            for (final Path task : entries) {
                final String name = name(task);
                if (NAME_PREFIXES.stream().anyMatch(name::startsWith)) {
                    tids.add(Integer.parseInt(task.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            Log.warn("--jit-threads idle: cannot list " + tasks + ": " + e.getMessage());
        }
        return tids;
    }

    /** A thread that ended meanwhile has no name. */
    private static String name(final Path task) throws IOException {
        try {
            return Files.readString(task.resolve("comm"), StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return "";
        }
    }
}
