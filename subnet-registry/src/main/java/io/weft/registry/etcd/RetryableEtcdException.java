package io.weft.registry.etcd;

import java.io.IOException;

/** etcd did not answer, or answered "not now" (no leader, overloaded): the same request may succeed later. */
final class RetryableEtcdException extends IOException {
    private static final long serialVersionUID = 1L;

    RetryableEtcdException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
