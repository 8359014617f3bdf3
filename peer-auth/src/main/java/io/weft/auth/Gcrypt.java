package io.weft.auth;

import java.util.Arrays;
import java.util.HexFormat;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;

/**
 * Loads and initialises libgcrypt once, by its runtime name {@code libgcrypt.so.20} (Debian package
 * {@code libgcrypt20}, on every Debian and Ubuntu system), so no development package is needed. Availability is a
 * value; {@link #library()} throws with the cause for callers that cannot go on without it.
 */
public final class Gcrypt {
    static final String LIBRARY = "libgcrypt.so.20";
    /** GCM's associated data in parts and its tag calls are older; 1.8 is Debian 10's. */
    static final String REQUIRED_VERSION = "1.8.0";

    // The known-answer check's data and layout, declared before the static block that runs it.
    /** GCM's test case 2: key, IV and 16 bytes of data all zero; the ciphertext, then the tag. */
    private static final byte[] KNOWN_ANSWER =
        HexFormat.of().parseHex("0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf");
    private static final int HANDLE = 0;
    private static final int KEY = 8;
    private static final int IV = KEY + GcmCipher.KEY_LENGTH;
    private static final int IV_LENGTH = 12;
    private static final int DATA = 40;
    private static final int DATA_LENGTH = 16;
    private static final int TAG = DATA + DATA_LENGTH;
    private static final int BYTES = TAG + AuthHeader.TAG_LENGTH;

    private static final LibGcrypt LIBGCRYPT;
    private static final String VERSION;
    private static final Throwable LOAD_FAILURE;

    static {
        LibGcrypt library = null;
        String version = null;
        Throwable failure = null;
        try {
            // failImmediately: a missing symbol fails here, not on the first packet. IgnoreError: libgcrypt reports
            // by return value, never errno, which jnr-ffi would otherwise save after every call.
            library = LibraryLoader.create(LibGcrypt.class).option(LibraryOption.IgnoreError, true)
                .failImmediately().load(LIBRARY);
            // Its first call initialises it. GCRYCTL_INITIALIZATION_FINISHED (gcry_control is variadic, which jnr-ffi
            // does not bind) matters only to programs using secure memory, which weft does not ask for.
            version = library.gcry_check_version(REQUIRED_VERSION);
            if (version == null) {
                throw new UnsatisfiedLinkError(LIBRARY + " is older than " + REQUIRED_VERSION);
            }
            final String refusal = knownAnswerRefusal(library);
            if (refusal != null) {
                throw new UnsatisfiedLinkError(LIBRARY + " " + version + " cannot seal as weft does: " + refusal);
            }
        } catch (final Throwable t) {
            library = null;
            version = null;
            failure = t;
        }
        LIBGCRYPT = library;
        VERSION = version;
        LOAD_FAILURE = failure;
    }

    private Gcrypt() {
    }

    /**
     * Seals GCM's test case 2 as the packet path seals an encrypted datagram (the IV set by us, the data encrypted in
     * place, the tag taken; it has no associated data) and returns why that failed, or null. A library that refuses
     * to encrypt under an IV it did not make (libgcrypt in FIPS mode does) or answers wrong fails here, at start,
     * not on every datagram.
     */
    static String knownAnswerRefusal(final LibGcrypt library) {
        final long memory = NativeMemory.allocate(BYTES);
        try {
            final int opened = library.gcry_cipher_open(memory + HANDLE, LibGcrypt.CIPHER_AES128, LibGcrypt.MODE_GCM,
                0);
            final long handle = opened == 0 ? NativeMemory.getAddress(memory + HANDLE) : 0;
            if (handle == 0) {
                return "gcry_cipher_open for AES-128-GCM failed: error " + opened;
            }
            try {
                if (library.gcry_cipher_setkey(handle, memory + KEY, GcmCipher.KEY_LENGTH) != 0) {
                    return "gcry_cipher_setkey refused a zero AES-128 key";
                }
                if (library.gcry_cipher_setiv(handle, memory + IV, IV_LENGTH) != 0) {
                    return "gcry_cipher_setiv refused a 12-byte IV";
                }
                if (library.gcry_cipher_encrypt(handle, memory + DATA, DATA_LENGTH, 0, 0) != 0) {
                    return "gcry_cipher_encrypt refused to encrypt in place under an IV it did not make";
                }
                if (library.gcry_cipher_gettag(handle, memory + TAG, AuthHeader.TAG_LENGTH) != 0) {
                    return "gcry_cipher_gettag refused";
                }
                return Arrays.equals(NativeMemory.getBytes(memory + DATA, KNOWN_ANSWER.length), KNOWN_ANSWER)
                    ? null : "AES-128-GCM's test case 2 came out wrong";
            } finally {
                library.gcry_cipher_close(handle);
            }
        } finally {
            NativeMemory.free(memory);
        }
    }

    public static boolean isAvailable() {
        return LIBGCRYPT != null;
    }

    /** Why libgcrypt cannot be used, or {@code null} when it can. */
    public static String unavailabilityCause() {
        return LIBGCRYPT == null ? "cannot load " + LIBRARY + " (Debian package libgcrypt20) through jnr-ffi: "
            + LOAD_FAILURE : null;
    }

    /** The loaded library's version, as it reports it; null when it is not available. */
    public static String version() {
        return VERSION;
    }

    static LibGcrypt library() {
        if (LIBGCRYPT == null) {
            throw new IllegalStateException(unavailabilityCause(), LOAD_FAILURE);
        }
        return LIBGCRYPT;
    }
}
