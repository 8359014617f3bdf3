package io.weft.auth;

/**
 * One AES-128-GCM cipher handle of libgcrypt, keyed for one peer and direction, with its scratch memory allocated
 * once: per datagram only the IV changes, so a call allocates nothing. The 12-byte IV is 4 zero bytes followed by the
 * 8 bytes of a datagram's nonce. Not thread-safe: one per lane.
 */
final class GcmCipher implements AutoCloseable {
    static final int KEY_LENGTH = 16;
    static final int NONCE_LENGTH = 8;

    private static final int IV_LENGTH = 12;
    private static final int IV_OFFSET = 0;
    private static final int IV_NONCE_OFFSET = 4;
    private static final int HANDLE_OFFSET = 16;
    private static final int KEY_OFFSET = 24;
    private static final int SCRATCH_LENGTH = KEY_OFFSET + KEY_LENGTH;

    private final LibGcrypt gcrypt;
    private final boolean encrypt;
    private final long scratch;
    private long handle;

    GcmCipher(final byte[] key, final boolean encrypt) {
        this(encrypt);
        if (!rekey(key)) {
            close();
            throw new IllegalStateException("gcry_cipher_setkey with an AES-128 key failed");
        }
    }

    /** A handle with no key yet: {@link #rekey} gives it one. */
    GcmCipher(final boolean encrypt) {
        this.gcrypt = Gcrypt.library();
        this.encrypt = encrypt;
        this.scratch = NativeMemory.allocate(SCRATCH_LENGTH);
        final int error = gcrypt.gcry_cipher_open(scratch + HANDLE_OFFSET, LibGcrypt.CIPHER_AES128,
            LibGcrypt.MODE_GCM, 0);
        this.handle = error == 0 ? NativeMemory.getAddress(scratch + HANDLE_OFFSET) : 0;
        if (handle == 0) {
            NativeMemory.free(scratch);
            throw new IllegalStateException("gcry_cipher_open for AES-128-GCM failed: error " + error);
        }
    }

    /**
     * Gives the handle another key: libgcrypt expands it once, then every datagram under it changes only the IV.
     * Allocates nothing. False if libgcrypt refused.
     */
    boolean rekey(final byte[] key) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("an AES-128 key has " + KEY_LENGTH + " bytes, not " + key.length);
        }
        final long keyAddress = scratch + KEY_OFFSET;
        NativeMemory.putBytes(keyAddress, key);
        final int error = gcrypt.gcry_cipher_setkey(handle(), keyAddress, KEY_LENGTH);
        // libgcrypt keeps its own key schedule; no copy of the key stays here.
        NativeMemory.putZeros(keyAddress, KEY_LENGTH);
        return error == 0;
    }

    /**
     * Starts one datagram whose parts lie apart, for {@link #authenticate}, {@link #encryptInPlace} (all associated
     * data first, as GCM wants) and {@link #finishEncrypt}. False if libgcrypt refused.
     */
    boolean begin(final long nonce) {
        return gcrypt.gcry_cipher_setiv(handle(), iv(nonce), IV_LENGTH) == 0;
    }

    /** Adds {@code length} bytes at {@code address} to the associated data of the datagram begun. */
    boolean authenticate(final long address, final int length) {
        return length == 0 || gcrypt.gcry_cipher_authenticate(handle, address, length) == 0;
    }

    /** Encrypts {@code length} bytes at {@code address} in place, the next part of the datagram begun. */
    boolean encryptInPlace(final long address, final int length) {
        return length == 0 || gcrypt.gcry_cipher_encrypt(handle, address, length, 0, 0) == 0;
    }

    /** Ends the datagram begun and writes its tag at {@code tagOut}. */
    boolean finishEncrypt(final long tagOut) {
        return gcrypt.gcry_cipher_gettag(handle, tagOut, AuthHeader.TAG_LENGTH) == 0;
    }

    /**
     * Authenticates {@code aadLength} bytes at {@code aad}, encrypts {@code dataLength} bytes at {@code data} in
     * place and writes the tag at {@code tagOut}. Returns false if libgcrypt refused a step.
     */
    boolean encrypt(final long nonce, final long aad, final int aadLength, final long data, final int dataLength,
        final long tagOut) {
        return begin(nonce) && authenticate(aad, aadLength) && encryptInPlace(data, dataLength)
            && finishEncrypt(tagOut);
    }

    /**
     * Checks the tag at {@code tag} over {@code aad} and {@code data}, decrypting {@code data} in place. Returns
     * false if the tag does not match; then {@code data} holds no plaintext (it is zeroed).
     */
    boolean decrypt(final long nonce, final long aad, final int aadLength, final long data, final int dataLength,
        final long tag) {
        final boolean verified = begin(nonce) && authenticate(aad, aadLength)
            && (dataLength == 0 || gcrypt.gcry_cipher_decrypt(handle, data, dataLength, 0, 0) == 0)
            && gcrypt.gcry_cipher_checktag(handle, tag, AuthHeader.TAG_LENGTH) == 0;
        if (!verified && dataLength > 0) {
            // GCM decrypts before the tag is known: a forgery's plaintext must not reach anyone.
            NativeMemory.putZeros(data, dataLength);
        }
        return verified;
    }

    private long iv(final long nonce) {
        final long iv = scratch + IV_OFFSET;
        NativeMemory.copy(nonce, iv + IV_NONCE_OFFSET, NONCE_LENGTH);
        return iv;
    }

    private long handle() {
        if (handle == 0) {
            throw new IllegalStateException("AES-128-GCM " + (encrypt ? "sealer" : "opener") + " is closed");
        }
        return handle;
    }

    /** Frees the handle and the scratch memory; idempotent. */
    @Override
    public void close() {
        if (handle != 0) {
            gcrypt.gcry_cipher_close(handle);
            handle = 0;
            NativeMemory.free(scratch);
        }
    }
}
