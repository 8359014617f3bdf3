package io.weft.tun;

/**
 * The calling thread's nice value. Linux keeps one per thread, not per process ({@code setpriority(PRIO_PROCESS, 0)}
 * changes the caller only), and a process started from a thread inherits that thread's: so a housekeeping thread
 * that lowers its own priority lowers the commands it runs too, and the lanes of the same process keep theirs.
 */
public final class Niceness {
    /** The highest nice value, the lowest priority: what Linux gives such a thread is a small share of a busy core. */
    public static final int LOWEST = 19;
    private static final int PRIO_PROCESS = 0;
    private static final int CALLING_THREAD = 0;

    private Niceness() {
    }

    /**
     * Sets the calling thread's nice value; raising it needs no privilege.
     *
     * @throws NativeException when the kernel refuses (lowering it below the current one without CAP_SYS_NICE)
     */
    public static void setForCallingThread(final int nice) throws NativeException {
        if (nice < -20 || nice > LOWEST) {
            throw new IllegalArgumentException("a nice value is -20 to 19, not " + nice);
        }
        Native.check(Native.libc().setpriority(PRIO_PROCESS, CALLING_THREAD, nice),
            "setpriority(PRIO_PROCESS, calling thread, " + nice + ")");
    }
}
