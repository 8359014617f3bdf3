package io.weft.tun;

import java.io.IOException;

/** A failed system call during setup: names the call, the errno and, when known, what the operator can do. */
public final class NativeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    NativeException(final String what, final int errno, final String hint) {
        super(what + ": " + Errno.describe(errno) + (hint.isEmpty() ? "" : " - " + hint));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
