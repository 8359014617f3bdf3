package io.weft.tun;

/** A non-blocking eventfd: another thread {@link #signal()}s it to wake a reader blocked in {@link Epoll#await}. */
public final class EventFd implements AutoCloseable {
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int COUNTER_LENGTH = 8;

    private final int fd;
    private final NativeBuffer signalValue = new NativeBuffer(COUNTER_LENGTH);
    private final NativeBuffer drainValue = new NativeBuffer(COUNTER_LENGTH);
    private boolean closed;

    public EventFd() throws NativeException {
        fd = Native.check(Native.libc().eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), "eventfd");
        signalValue.buffer.putLong(0, 1L);
    }

    public int fd() {
        return fd;
    }

    /** Makes the fd readable until drained; safe from any thread. */
    public void signal() {
        // The buffer only ever holds 1, so concurrent signals need no lock.
        Native.LIBC.write(fd, signalValue.address, COUNTER_LENGTH);
    }

    /** True when it had been signalled; resets it. Call from the waiting thread only. */
    public boolean drain() {
        return Native.LIBC.read(fd, drainValue.address, COUNTER_LENGTH) == COUNTER_LENGTH;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.closeQuietly(fd);
        }
    }
}
