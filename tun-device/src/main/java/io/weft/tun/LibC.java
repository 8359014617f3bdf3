package io.weft.tun;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The only jnr-ffi declarations of this module, shaped like the system calls: ints and raw addresses.
 * jnr-ffi 2.2.19's x86_64 stubs garble a sixth argument (seen with sendto's address length), so no declaration
 * here takes more than five: datagrams go through sendmsg/recvmsg with a prepared struct msghdr.
 * Every pointer is a {@code long} address so that calls on the packet path box nothing and allocate nothing.
 * Public only because jnr-ffi generates its implementation in another class loader; use the classes of this
 * package instead.
 */
public interface LibC {
    @SaveError
    int open(String path, int flags);

    @SaveError
    int close(int fd);

    @SaveError
    @ssize_t long read(int fd, long buffer, @size_t long count);

    @SaveError
    @ssize_t long write(int fd, long buffer, @size_t long count);

    /** ioctl is variadic; on x86_64 and aarch64 a pointer argument is passed like a fixed one. */
    @SaveError
    int ioctl(int fd, long request, long argument);

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int socketpair(int domain, int type, int protocol, long fds);

    @SaveError
    int bind(int fd, long address, int addressLength);

    @SaveError
    int listen(int fd, int backlog);

    @SaveError
    int accept4(int fd, long address, long addressLength, int flags);

    @SaveError
    int connect(int fd, long address, int addressLength);

    @SaveError
    int shutdown(int fd, int how);

    int geteuid();

    @SaveError
    int getsockname(int fd, long address, long addressLength);

    @SaveError
    int setsockopt(int fd, int level, int name, long value, int valueLength);

    @SaveError
    int getsockopt(int fd, int level, int name, long value, long valueLength);

    @SaveError
    @ssize_t long sendmsg(int fd, long messageHeader, int flags);

    @SaveError
    @ssize_t long recvmsg(int fd, long messageHeader, int flags);

    @SaveError
    int sendmmsg(int fd, long messageVector, int vectorLength, int flags);

    @SaveError
    int recvmmsg(int fd, long messageVector, int vectorLength, int flags, long timeout);

    @SaveError
    int epoll_create1(int flags);

    @SaveError
    int epoll_ctl(int epfd, int op, int fd, long event);

    @SaveError
    int epoll_wait(int epfd, long events, int maxEvents, int timeoutMs);

    @SaveError
    int eventfd(int initialValue, int flags);

    @SaveError
    int if_nametoindex(String name);

    /** On Linux the nice value is a thread's: {@code who} 0 with PRIO_PROCESS is the calling thread. */
    @SaveError
    int setpriority(int which, int who, int priority);

    /** {@code pid} a thread id (0 the caller); {@code param} the address of a struct sched_param (an int). */
    @SaveError
    int sched_setscheduler(int pid, int policy, long param);

    /**
     * Returns the mapping, or MAP_FAILED (address -1) with errno set. Pointers rather than longs: with six primitive
     * arguments jnr-ffi's fast call passed glibc an offset it refused (EINVAL, no system call made).
     */
    @SaveError
    Pointer mmap(Pointer address, @size_t long length, int protection, int flags, int fd, long offset);

    @SaveError
    int madvise(Pointer address, @size_t long length, int advice);

    String strerror(int errno);
}
