package io.weft.tun;

/**
 * An epoll instance that only answers "something is ready": owners register their few fds and, after a wait,
 * drain each non-blocking fd until EAGAIN. That keeps the wait free of per-event decoding.
 */
public final class Epoll implements AutoCloseable {
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CLOEXEC = 0x80000;

    /** struct epoll_event's layout differs by architecture (packed on x86_64 only); Native refuses any other. */
    private static final Architecture ARCHITECTURE =
        Architecture.of(System.getProperty("os.arch")).orElse(Architecture.X86_64);
    private static final int EVENT_LENGTH = ARCHITECTURE.epollEventLength();
    private static final int MAX_EVENTS = 8;

    private final int epfd;
    private final NativeBuffer events = new NativeBuffer(EVENT_LENGTH * MAX_EVENTS);
    private boolean closed;

    public Epoll() throws NativeException {
        epfd = Native.check(Native.libc().epoll_create1(EPOLL_CLOEXEC), "epoll_create1");
    }

    /** Level-triggered interest in {@code eventMask} (EPOLLIN, EPOLLOUT) on {@code fd}. */
    public void add(final int fd, final int eventMask) throws NativeException {
        final NativeBuffer event = new NativeBuffer(EVENT_LENGTH);
        event.buffer.putInt(0, eventMask);
        event.buffer.putLong(ARCHITECTURE.epollEventDataOffset(), fd);
        Native.check(Native.LIBC.epoll_ctl(epfd, EPOLL_CTL_ADD, fd, event.address), "epoll_ctl(ADD, fd " + fd + ")");
        event.keepAlive();
    }

    public void remove(final int fd) throws NativeException {
        final NativeBuffer event = new NativeBuffer(EVENT_LENGTH);
        Native.check(Native.LIBC.epoll_ctl(epfd, EPOLL_CTL_DEL, fd, event.address), "epoll_ctl(DEL, fd " + fd + ")");
        event.keepAlive();
    }

    /** Waits until a registered fd is ready or the timeout passes: the number of ready fds, 0, or -errno. */
    public int await(final int timeoutMs) {
        final int result = Native.LIBC.epoll_wait(epfd, events.address, MAX_EVENTS, timeoutMs);
        return result >= 0 ? result : (Native.errno() == Errno.EINTR ? 0 : -Native.errno());
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.closeQuietly(epfd);
        }
    }
}
