package io.weft.tun;

/**
 * Linux's SCHED_IDLE scheduling policy for a thread of this process: the thread runs when nothing else on its CPU
 * wants to, and any other task that wakes there takes the CPU from it at once, whatever is left of its time slice.
 * A nice value cannot do that: a thread at nice 19 still keeps a core it was given for its whole slice (a
 * millisecond or more). Moving a thread to SCHED_IDLE needs no privilege; the threads it starts inherit it.
 */
public final class IdlePolicy {
    /** sched(7): SCHED_IDLE. */
    static final int SCHED_IDLE = 5;

    private IdlePolicy() {
    }

    /**
     * Puts thread {@code tid} of this process (as /proc/self/task names it) under SCHED_IDLE.
     *
     * @throws NativeException when the kernel refuses (no such thread, or a seccomp filter that forbids it)
     */
    public static void set(final int tid) throws NativeException {
        // struct sched_param: the static priority, which SCHED_IDLE requires to be 0.
        final NativeBuffer param = new NativeBuffer(Integer.BYTES);
        param.clear(Integer.BYTES);
        final int result = Native.libc().sched_setscheduler(tid, SCHED_IDLE, param.address);
        param.keepAlive();
        Native.check(result, "sched_setscheduler(" + tid + ", SCHED_IDLE)");
    }
}
