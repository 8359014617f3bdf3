package io.weft.auth;

import java.security.PrivateKey;
import java.util.Arrays;
import java.util.HexFormat;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;

/**
 * X25519 through OpenSSL 3's libcrypto ({@code libcrypto.so.3}, Debian's libssl3, on every Debian and Ubuntu system),
 * several times faster than the JDK's: a weftd among thousands of weft nodes agrees with each of them at start
 * (docs/authentication.md has the measurement). Checked at load against RFC 7748's section 6.1; where it cannot be
 * loaded or fails the check, {@link X25519} runs the JDK's. Control plane only: a call allocates native memory and
 * libcrypto's objects, and frees them.
 */
final class OpenSslX25519 {
    static final String LIBRARY = "libcrypto.so.3";

    private static final int KEY_LENGTH = X25519.KEY_LENGTH;
    private static final int PEER = 0;
    private static final int SECRET = PEER + KEY_LENGTH;
    private static final int SECRET_LENGTH = SECRET + KEY_LENGTH;
    private static final int BYTES = SECRET_LENGTH + Long.BYTES;

    // RFC 7748 section 6.1: Alice's private key, Bob's public key, their shared secret.
    private static final byte[] KNOWN_SCALAR =
        HexFormat.of().parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final byte[] KNOWN_PEER =
        HexFormat.of().parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    private static final byte[] KNOWN_SECRET =
        HexFormat.of().parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    private static Throwable loadFailure;
    private static final LibCryptoX25519 LIBCRYPTO = load();
    private static final OwnKeys OWN_KEYS = new OwnKeys();

    private OpenSslX25519() {
    }

    static boolean isAvailable() {
        return LIBCRYPTO != null;
    }

    /** Why the JDK's X25519 serves instead, or null when libcrypto's does: for the log of the first bulk. */
    static String unavailabilityCause() {
        return LIBCRYPTO != null ? null : loadFailure == null ? LIBRARY + " gave another answer than RFC 7748's"
            : "cannot load " + LIBRARY + " (Debian package libssl3): " + loadFailure;
    }

    /**
     * X25519(own private key, peer's u): the 32-byte result, or null if libcrypto refused (OpenSSL refuses a low-order
     * peer point, whose result would be zero). Thread-safe.
     */
    static byte[] agree(final PrivateKey own, final byte[] scalar, final byte[] peer) {
        final long ownKey = OWN_KEYS.acquire(own, scalar);
        try {
            return ownKey == 0 ? null : derive(LIBCRYPTO, ownKey, peer);
        } finally {
            if (ownKey != 0) {
                LIBCRYPTO.EVP_PKEY_free(ownKey);
            }
        }
    }

    private static byte[] derive(final LibCryptoX25519 library, final long ownKey, final byte[] peer) {
        if (peer.length != KEY_LENGTH) {
            throw new IllegalArgumentException("an X25519 public key has " + KEY_LENGTH + " bytes, not "
                + peer.length);
        }
        final long memory = NativeMemory.allocate(BYTES);
        long peerKey = 0;
        long context = 0;
        try {
            NativeMemory.putBytes(memory + PEER, peer);
            NativeMemory.putLong(memory + SECRET_LENGTH, KEY_LENGTH);
            peerKey = library.EVP_PKEY_new_raw_public_key(LibCryptoX25519.EVP_PKEY_X25519, 0, memory + PEER,
                KEY_LENGTH);
            context = peerKey == 0 ? 0 : library.EVP_PKEY_CTX_new(ownKey, 0);
            final boolean derived = context != 0 && library.EVP_PKEY_derive_init(context) == 1
                && library.EVP_PKEY_derive_set_peer(context, peerKey) == 1
                && library.EVP_PKEY_derive(context, memory + SECRET, memory + SECRET_LENGTH) == 1
                && NativeMemory.getLong(memory + SECRET_LENGTH) == KEY_LENGTH;
            return derived ? NativeMemory.getBytes(memory + SECRET, KEY_LENGTH) : null;
        } finally {
            if (context != 0) {
                library.EVP_PKEY_CTX_free(context);
            }
            if (peerKey != 0) {
                library.EVP_PKEY_free(peerKey);
            }
            NativeMemory.putZeros(memory, BYTES);
            NativeMemory.free(memory);
        }
    }

    /** libcrypto's object for a raw private key, which computes the public key: a second X25519 if made per call. */
    private static long privateKey(final LibCryptoX25519 library, final byte[] scalar) {
        if (scalar.length != KEY_LENGTH) {
            return 0;
        }
        final long memory = NativeMemory.allocate(KEY_LENGTH);
        try {
            NativeMemory.putBytes(memory, scalar);
            return library.EVP_PKEY_new_raw_private_key(LibCryptoX25519.EVP_PKEY_X25519, 0, memory, KEY_LENGTH);
        } finally {
            NativeMemory.putZeros(memory, KEY_LENGTH);
            NativeMemory.free(memory);
        }
    }

    /**
     * libcrypto's objects of the last two private keys used (a node's current key and, while it rotates, the other),
     * each handed out with a reference of its own, so that one replaced meanwhile stays valid until its user frees it.
     */
    private static final class OwnKeys {
        private final PrivateKey[] keys = new PrivateKey[2];
        private final long[] handles = new long[2];
        private int oldest;

        synchronized long acquire(final PrivateKey own, final byte[] scalar) {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] == own) {
                    return LIBCRYPTO.EVP_PKEY_up_ref(handles[i]) == 1 ? handles[i] : 0;
                }
            }
            final long made = privateKey(LIBCRYPTO, scalar);
            if (made == 0) {
                return 0;
            }
            if (handles[oldest] != 0) {
                LIBCRYPTO.EVP_PKEY_free(handles[oldest]);
            }
            keys[oldest] = own;
            handles[oldest] = made;
            oldest = (oldest + 1) % keys.length;
            return LIBCRYPTO.EVP_PKEY_up_ref(made) == 1 ? made : 0;
        }
    }

    /** The library if it loads and gives RFC 7748's answer, else null: the JDK's X25519 serves then. */
    private static LibCryptoX25519 load() {
        try {
            final LibCryptoX25519 library = LibraryLoader.create(LibCryptoX25519.class)
                .option(LibraryOption.IgnoreError, true).failImmediately().load(LIBRARY);
            if (library.OPENSSL_init_crypto(LibCryptoX25519.OPENSSL_INIT_NO_LOAD_CONFIG
                | LibCryptoX25519.OPENSSL_INIT_NO_ATEXIT, 0) != 1) {
                throw new UnsatisfiedLinkError("OPENSSL_init_crypto refused");
            }
            final long known = privateKey(library, KNOWN_SCALAR);
            try {
                return known != 0 && Arrays.equals(derive(library, known, KNOWN_PEER), KNOWN_SECRET) ? library : null;
            } finally {
                library.EVP_PKEY_free(known);
            }
        } catch (final Throwable t) {
            loadFailure = t;
            return null;
        }
    }
}
