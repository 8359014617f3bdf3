package io.weft.auth;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;

/**
 * Loads OpenSSL 3's libcrypto once. It is loaded by its runtime name, {@code libcrypto.so.3} (Debian package
 * {@code libssl3}), so the {@code libcrypto.so} link of the development package is not needed. Availability is a
 * value; {@link #libcrypto()} throws with the cause for callers that cannot go on without it.
 */
public final class OpenSsl {
    static final String LIBRARY = "libcrypto.so.3";
    /** OPENSSL_VERSION_NUMBER of 3.0.0: the EVP calls used here are those of 3.x. */
    private static final long VERSION_3 = 0x3000_0000L;

    private static final LibCrypto LIBCRYPTO;
    private static final Throwable LOAD_FAILURE;

    static {
        LibCrypto libcrypto = null;
        Throwable failure = null;
        try {
            // failImmediately: a missing symbol fails here, not on the first packet. IgnoreError: libcrypto reports
            // by return value and its error queue, never errno, which jnr-ffi would otherwise save after every call.
            libcrypto = LibraryLoader.create(LibCrypto.class).option(LibraryOption.IgnoreError, true)
                .failImmediately().load(LIBRARY);
            final long version = libcrypto.OpenSSL_version_num();
            if (version < VERSION_3) {
                throw new UnsatisfiedLinkError(LIBRARY + " reports version 0x" + Long.toHexString(version)
                    + ", not 3.x");
            }
        } catch (final Throwable t) {
            libcrypto = null;
            failure = t;
        }
        LIBCRYPTO = libcrypto;
        LOAD_FAILURE = failure;
    }

    private OpenSsl() {
    }

    public static boolean isAvailable() {
        return LIBCRYPTO != null;
    }

    /** Why libcrypto cannot be used, or {@code null} when it can. */
    public static String unavailabilityCause() {
        return LIBCRYPTO == null ? "cannot load OpenSSL's " + LIBRARY + " (Debian package libssl3) through jnr-ffi: "
            + LOAD_FAILURE : null;
    }

    static LibCrypto libcrypto() {
        if (LIBCRYPTO == null) {
            throw new IllegalStateException(unavailabilityCause(), LOAD_FAILURE);
        }
        return LIBCRYPTO;
    }
}
