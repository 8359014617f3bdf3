package io.weft.dataplane.node;

import io.weft.log.Log;
import io.weft.tun.NativeException;
import io.weft.tun.SchedulingPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Once weftd forwards, its JIT compiler threads run under SCHED_IDLE while they are not starved: a lane of ours
 * that wakes takes their core at once, and while polling it seldom loses it to them (their weight is 3 against a
 * normal thread's 1,024). A lane that handles one packet now and then (a ping, a probe) still crosses the compiler's
 * thresholds long after bulk traffic compiled the rest; each compilation held the lane's core for one to several
 * milliseconds while the lane waited with the packet in hand, the largest cause of slow ping replies that was weftd's
 * own, and a nice value does not prevent it (docs/idle-and-latency.md).
 * <p>
 * On CPUs that other work keeps busy, a SCHED_IDLE compiler gets next to nothing, and code that turns hot stays
 * interpreted: weftd started on saturated CPUs carried a tenth, in its first seconds, of what it did with the normal
 * policy. So
 * {@link #tend()}, called every second or so, puts a compiler thread that waited for a CPU a fifth of the time or
 * more back under the normal policy, and under SCHED_IDLE again once it has next to nothing left to compile or its
 * CPU is no longer contended.
 * The start's compilations, before forwarding, keep the normal policy, so the start is not slowed. One thread
 * calls {@link #tend()}.
 */
final class JitThreads {
    /** What moves a thread between the policies: the kernel, or a unit test's record of it. */
    interface Policies {
        void idle(int tid) throws NativeException;

        void normal(int tid) throws NativeException;
    }

    static final Policies KERNEL = new Policies() {
        @Override
        public void idle(final int tid) throws NativeException {
            SchedulingPolicy.idle(tid);
        }

        @Override
        public void normal(final int tid) throws NativeException {
            SchedulingPolicy.normal(tid);
        }
    };

    /** Starved: waited for a CPU at least this share (1/N) of the time since the last look. */
    static final int STARVED_SHARE = 5;
    /** Done: ran at most this share (1/N) of the time since the last look; its queue has drained. */
    static final int DONE_SHARE = 100;
    /** Uncontended: waited at most this share (1/N): nothing else wants its CPU now, idle would cost it nothing. */
    static final int UNCONTENDED_SHARE = 20;
    private static final Path TASKS = Path.of("/proc/self/task");
    /** HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1"; the kernel keeps 15 characters. */
    private static final List<String> NAME_PREFIXES = List.of("C1 CompilerThre", "C2 CompilerThre");
    /** HotSpot adds and stops compiler threads as its queues grow and shrink: look for them this often. */
    private static final int LIST_EVERY_TENDS = 10;
    private static final long LOG_NORMAL_AGAIN_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** Shorter looks are skipped: the main loop's first comes right after the start. */
    static final long MIN_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Path tasks;
    private final Policies policies;
    private final LongSupplier clock;
    private final Map<Integer, Watched> watched = new HashMap<>();
    /** Threads the kernel refused to move, or that show no scheduler statistics: not tried again. */
    private final Set<Integer> passedOver = new HashSet<>();
    private long lastLook;
    private int tends;
    /** Set so that the first move to the normal policy is logged. */
    private long lastNormalLog;

    JitThreads(final Path tasks, final Policies policies, final LongSupplier clock) {
        this.tasks = tasks;
        this.policies = policies;
        this.clock = clock;
        this.lastLook = clock.getAsLong();
        this.lastNormalLog = lastLook - LOG_NORMAL_AGAIN_NANOS;
    }

    /**
     * Puts this JVM's compiler threads under SCHED_IDLE and watches them; null, leaving them as they are, where a
     * starved one could not be moved back (no CAP_SYS_NICE).
     */
    static JitThreads start() {
        if (!SchedulingPolicy.canLeaveIdle()) {
            Log.warn("--jit-threads idle: without CAP_SYS_NICE (or an RLIMIT_NICE of 20) a starved JIT compiler"
                + " thread could not be moved back from SCHED_IDLE: the compiler keeps the normal policy");
            return null;
        }
        return new JitThreads(TASKS, KERNEL, System::nanoTime).begin();
    }

    /** Puts the compiler threads under SCHED_IDLE and watches them; if that fails half-way, undoes it. */
    JitThreads begin() {
        final List<Integer> moved;
        try {
            moved = listAndMove();
        } catch (RuntimeException e) {
            giveUp();
            throw e;
        }
        if (moved.isEmpty()) {
            Log.warn("--jit-threads idle: no JIT compiler thread in " + tasks + " to move (none found, none with"
                + " scheduler statistics, or refused: see above): the compiler keeps the normal policy");
        } else {
            Log.info("JIT compiler threads " + moved + " run under SCHED_IDLE while they are not starved");
        }
        return this;
    }

    /** Looks at how long each compiler thread ran and waited since the last look, and moves those that need it. */
    void tend() {
        if (++tends % LIST_EVERY_TENDS == 0) {
            listAndMove();
        }
        final long now = clock.getAsLong();
        final long elapsed = now - lastLook;
        if (elapsed < MIN_LOOK_NANOS) {
            // A few microseconds of waiting in a look this short would count as starved.
            return;
        }
        lastLook = now;
        watched.entrySet().removeIf(entry -> !tend(entry.getKey(), entry.getValue(), elapsed, now));
    }

    /** Whether thread {@code tid} is still there, and still a compiler thread (not another that took its id). */
    private boolean tend(final int tid, final Watched thread, final long elapsed, final long now) {
        final long[] stat = schedstat(tid);
        if (stat == null || !isCompiler(read(file(tid, "comm")))) {
            return false;
        }
        final long ran = stat[0] - thread.ranNanos;
        final long waited = stat[1] - thread.waitedNanos;
        thread.ranNanos = stat[0];
        thread.waitedNanos = stat[1];
        try {
            if (thread.idle && waited >= elapsed / STARVED_SHARE) {
                policies.normal(tid);
                thread.idle = false;
                if (now - lastNormalLog >= LOG_NORMAL_AGAIN_NANOS) {
                    lastNormalLog = now;
                    Log.info("JIT compiler thread " + tid + " waited " + TimeUnit.NANOSECONDS.toMillis(waited)
                        + " ms of " + TimeUnit.NANOSECONDS.toMillis(elapsed) + " for a CPU: the normal policy until"
                        + " it has compiled what it holds (logged again at most every 10 minutes)");
                }
            } else if (!thread.idle && (ran <= elapsed / DONE_SHARE || waited <= elapsed / UNCONTENDED_SHARE)) {
                policies.idle(tid);
                thread.idle = true;
            }
        } catch (NativeException e) {
            // Ended since the last look, most likely (HotSpot stops idle compiler threads).
            return false;
        }
        return true;
    }

    /**
     * Ends the watch: every thread watched back under the normal policy (which {@link SchedulingPolicy#canLeaveIdle}
     * made sure we may do), so that none stays under SCHED_IDLE unwatched and starves; the threads they start later
     * inherit the normal policy too.
     */
    void giveUp() {
        for (final int tid : watched.keySet()) {
            try {
                policies.normal(tid);
            } catch (NativeException e) {
                // Ended since: nothing to put back.
            }
        }
        watched.clear();
    }

    /** Moves the compiler threads not yet watched to SCHED_IDLE and watches them; returns those moved. */
    private List<Integer> listAndMove() {
        final List<Integer> moved = new ArrayList<>();
        for (final int tid : compilerThreads(tasks)) {
            if (watched.containsKey(tid) || passedOver.contains(tid)) {
                continue;
            }
            final long[] stat = schedstat(tid);
            if (stat == null) {
                continue;
            }
            if (stat[0] == 0 && stat[1] == 0) {
                // Some kernels keep no scheduler statistics ("0 0 0"): a starved compiler could not be seen.
                passedOver.add(tid);
                Log.warn("--jit-threads idle: JIT compiler thread " + tid + " shows no scheduler statistics in "
                    + file(tid, "schedstat") + ": it keeps the normal policy");
                continue;
            }
            try {
                policies.idle(tid);
            } catch (NativeException e) {
                passedOver.add(tid);
                Log.warn("--jit-threads idle: " + e.getMessage()
                    + "; that JIT compiler thread keeps the normal policy");
                continue;
            }
            watched.put(tid, new Watched(stat[0], stat[1]));
            moved.add(tid);
        }
        return moved;
    }

    /** The ids of the threads under {@code tasks} (a /proc/PID/task) whose names are HotSpot's compilers'. */
    static List<Integer> compilerThreads(final Path tasks) {
        final List<Integer> tids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tasks)) {
            for (final Path task : entries) {
                if (isCompiler(read(task.resolve("comm")))) {
                    tids.add(Integer.parseInt(task.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            Log.warn("--jit-threads idle: cannot list " + tasks + ": " + e.getMessage());
        }
        return tids;
    }

    private static boolean isCompiler(final String threadName) {
        return threadName != null && NAME_PREFIXES.stream().anyMatch(threadName::startsWith);
    }

    /** A thread's time on a CPU and waiting for one, in ns ("RAN WAITED SLICES"); null once it has ended. */
    private long[] schedstat(final int tid) {
        final Path file = file(tid, "schedstat");
        final String text = read(file);
        if (text == null) {
            return null;
        }
        final String[] fields = text.strip().split(" ");
        if (fields.length < 2) {
            throw new IllegalStateException(file + " reads '" + text + "', not 'RAN WAITED SLICES'");
        }
        // A NumberFormatException here is as much a kernel we do not know; Daemon ends the watch on either.
        return new long[] {Long.parseLong(fields[0]), Long.parseLong(fields[1])};
    }

    private Path file(final int tid, final String name) {
        return tasks.resolve(Integer.toString(tid)).resolve(name);
    }

    /** A thread that ended meanwhile has no files left to read: null. */
    private static String read(final Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private static final class Watched {
        long ranNanos;
        long waitedNanos;
        boolean idle = true;

        Watched(final long ranNanos, final long waitedNanos) {
            this.ranNanos = ranNanos;
            this.waitedNanos = waitedNanos;
        }
    }
}
