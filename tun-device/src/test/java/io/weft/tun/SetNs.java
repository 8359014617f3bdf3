package io.weft.tun;

import jnr.ffi.annotations.SaveError;

/** setns(2) for tests that move one thread into a namespace they made; public because jnr-ffi requires it. */
public interface SetNs {
    @SaveError
    int setns(int fd, int nstype);
}
