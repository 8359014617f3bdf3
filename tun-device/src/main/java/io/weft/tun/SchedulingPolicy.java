package io.weft.tun;

/**
 * Linux's scheduling policy for a thread of this process: SCHED_IDLE or the normal one (SCHED_OTHER). A SCHED_IDLE
 * thread weighs 3 against a normal one's 1,024, and a normal thread of the same group (this process's threads, for
 * one) that wakes on its CPU takes the CPU from it at once, whatever is left of its time slice. A nice value cannot
 * do that under EEVDF (Linux 6.6 on): a thread at nice 19 still keeps a core it was given for its slice, a
 * millisecond or more. Moving a thread to SCHED_IDLE, or back, needs no privilege; the threads it starts inherit it.
 */
public final class SchedulingPolicy {
    /** sched(7). */
    static final int SCHED_OTHER = 0;
    static final int SCHED_IDLE = 5;

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

    private static void set(final int tid, final int policy, final String name) throws NativeException {
        // struct sched_param: the static priority, which both policies require to be 0.
        final NativeBuffer param = new NativeBuffer(Integer.BYTES);
        param.clear(Integer.BYTES);
        final int result = Native.libc().sched_setscheduler(tid, policy, param.address);
        param.keepAlive();
        Native.check(result, "sched_setscheduler(" + tid + ", " + name + ")");
    }
}
