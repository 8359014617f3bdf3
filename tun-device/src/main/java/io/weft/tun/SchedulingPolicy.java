package io.weft.tun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Linux's scheduling policy for a thread of this process: SCHED_IDLE or the normal one (SCHED_OTHER). A SCHED_IDLE
 * thread weighs 3 against a normal one's 1,024, and a normal thread of the same group (this process's threads, for
 * one) that wakes on its CPU takes the CPU from it at once, whatever is left of its time slice. A nice value cannot
 * do that under EEVDF (Linux 6.6 on): a thread at nice 19 still keeps a core it was given for its slice, a
 * millisecond or more. Moving a thread to SCHED_IDLE needs no privilege, and the threads it starts inherit it; moving
 * it back needs CAP_SYS_NICE or an RLIMIT_NICE that allows the thread's nice value (20 at nice 0; sched(7)), which
 * {@link #canLeaveIdle()} tells.
 */
public final class SchedulingPolicy {
    /** sched(7). */
    static final int SCHED_OTHER = 0;
    static final int SCHED_IDLE = 5;
    private static final long PROBE_TIMEOUT_MS = 2_000;

    private SchedulingPolicy() {
    }

    /**
     * Puts thread {@code tid} of this process (as /proc/self/task names it) under SCHED_IDLE.
     *
     * @throws NativeException when the kernel refuses (no such thread, or a seccomp filter that forbids it)
     */
    public static void idle(final int tid) throws NativeException {
        set(tid, SCHED_IDLE, "SCHED_IDLE");
    }

    /** Puts thread {@code tid} back under the normal policy, at the nice value it had. */
    public static void normal(final int tid) throws NativeException {
        set(tid, SCHED_OTHER, "SCHED_OTHER");
    }

    /**
     * Whether this process may move a thread back from SCHED_IDLE: tried on a thread of its own, which ends after.
     */
    public static boolean canLeaveIdle() {
        final AtomicBoolean could = new AtomicBoolean();
        final Thread probe = new Thread(() -> {
            try {
                // /proc/thread-self links to "PID/task/TID".
                final int tid = Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName()
                    .toString());
                idle(tid);
                normal(tid);
                could.set(true);
            } catch (IOException e) {
                // NativeException among them: the kernel refused.
                could.set(false);
            }
        }, "weft-sched-probe");
        probe.start();
        try {
            // A probe starved under SCHED_IDLE for longer than this may as well count as a refusal.
            probe.join(PROBE_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !probe.isAlive() && could.get();
    }

    private static void set(final int tid, final int policy, final String name) throws NativeException {
        // struct sched_param: the static priority, which both policies require to be 0.
        final NativeBuffer param = new NativeBuffer(Integer.BYTES);
        param.clear(Integer.BYTES);
        final int result = Native.libc().sched_setscheduler(tid, policy, param.address);
        param.keepAlive();
        Native.check(result, "sched_setscheduler(" + tid + ", " + name + ")");
    }
}
