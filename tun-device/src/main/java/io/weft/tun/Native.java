package io.weft.tun;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Loads libc once and turns {@code -1} + errno into what callers need: an exception naming the syscall for setup,
 * a negative errno for the packet path.
 */
final class Native {
    static final LibC LIBC;
    static final Runtime RUNTIME;
    static final Throwable LOAD_FAILURE;

    static {
        LibC libc = null;
        Runtime runtime = null;
        Throwable failure = null;
        try {
            // Struct layouts are known for these architectures only; elsewhere nothing binds, so nothing misreads.
            Architecture.current();
            libc = LibraryLoader.create(LibC.class).load("c");
            runtime = Runtime.getRuntime(libc);
        } catch (final Throwable t) {
            failure = t;
        }
        LIBC = libc;
        RUNTIME = runtime;
        LOAD_FAILURE = failure;
    }

    private Native() {
    }

    static LibC libc() {
        if (LIBC == null) {
            throw new IllegalStateException("cannot bind the kernel through jnr-ffi: " + LOAD_FAILURE, LOAD_FAILURE);
        }
        return LIBC;
    }

    static int errno() {
        return LastError.getLastError(RUNTIME);
    }

    /** Returns {@code result} when it is not negative, else throws naming {@code what} and the errno. */
    static int check(final long result, final String what) throws NativeException {
        if (result < 0) {
            throw new NativeException(what, errno(), "");
        }
        return (int)result;
    }

    static int check(final long result, final String what, final ErrnoHint hint) throws NativeException {
        if (result < 0) {
            final int errno = errno();
            throw new NativeException(what, errno, hint.explain(errno));
        }
        return (int)result;
    }

    /** Closes quietly: used on shutdown paths where there is nothing better to do with an error. */
    static void closeQuietly(final int fd) {
        if (fd >= 0) {
            libc().close(fd);
        }
    }

    /** Turns an errno into a short operator-facing cause, or "" when the errno name says enough. */
    @FunctionalInterface
    interface ErrnoHint {
        String explain(int errno);
    }
}
