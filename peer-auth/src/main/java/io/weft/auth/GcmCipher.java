package io.weft.auth;

/**
 * One AES-128-GCM context of libcrypto, keyed once for one direction (encrypt or decrypt), with its scratch memory
 * allocated once: per datagram only the IV changes, so a call allocates nothing. The 12-byte IV is 4 zero bytes
 * followed by the 8 bytes of a datagram's nonce. Not thread-safe: one per lane.
 */
final class GcmCipher implements AutoCloseable {
    static final int KEY_LENGTH = 16;
    static final int NONCE_LENGTH = 8;

    private static final int IV_OFFSET = 0;
    private static final int IV_NONCE_OFFSET = 4;
    private static final int OUT_LENGTH_OFFSET = 16;
    /** GCM's final call writes no bytes, but gets a valid place to write them. */
    private static final int FINAL_OUT_OFFSET = 32;
    private static final int KEY_OFFSET = 48;
    private static final int SCRATCH_LENGTH = KEY_OFFSET + KEY_LENGTH;

    private final LibCrypto crypto;
    private final boolean encrypt;
    private final long scratch;
    private long context;

    GcmCipher(final byte[] key, final boolean encrypt) {
        this(encrypt);
        if (!rekey(key)) {
            close();
            throw new IllegalStateException((encrypt ? "EVP_EncryptInit_ex" : "EVP_DecryptInit_ex")
                + " with an AES-128-GCM key failed");
        }
    }

    /** A context with no key yet: {@link #rekey} gives it one. */
    GcmCipher(final boolean encrypt) {
        this.crypto = OpenSsl.libcrypto();
        this.encrypt = encrypt;
        this.context = crypto.EVP_CIPHER_CTX_new();
        if (context == 0) {
            throw new IllegalStateException("EVP_CIPHER_CTX_new failed");
        }
        this.scratch = NativeMemory.allocate(SCRATCH_LENGTH);
        final long cipher = crypto.EVP_aes_128_gcm();
        final int result = encrypt
            ? crypto.EVP_EncryptInit_ex(context, cipher, 0, 0, 0)
            : crypto.EVP_DecryptInit_ex(context, cipher, 0, 0, 0);
        if (result != 1) {
            close();
            throw new IllegalStateException((encrypt ? "EVP_EncryptInit_ex" : "EVP_DecryptInit_ex")
                + " with AES-128-GCM failed");
        }
    }

    /**
     * Gives the context another key: libcrypto expands it once, then every datagram under it changes only the IV.
     * Allocates nothing. False if libcrypto refused.
     */
    boolean rekey(final byte[] key) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("an AES-128 key has " + KEY_LENGTH + " bytes, not " + key.length);
        }
        final long keyAddress = scratch + KEY_OFFSET;
        NativeMemory.putBytes(keyAddress, key);
        final int result = encrypt
            ? crypto.EVP_EncryptInit_ex(context(), 0, 0, keyAddress, 0)
            : crypto.EVP_DecryptInit_ex(context(), 0, 0, keyAddress, 0);
        // libcrypto keeps its own key schedule; no copy of the key stays here.
        NativeMemory.putZeros(keyAddress, KEY_LENGTH);
        return result == 1;
    }

    /**
     * Starts one datagram whose parts lie apart, for {@link #authenticate}, {@link #encryptInPlace} (all associated
     * data first, as GCM wants) and {@link #finishEncrypt}. False if libcrypto refused.
     */
    boolean begin(final long nonce) {
        return crypto.EVP_EncryptInit_ex(context(), 0, 0, 0, iv(nonce)) == 1;
    }

    /** Adds {@code length} bytes at {@code address} to the associated data of the datagram begun. */
    boolean authenticate(final long address, final int length) {
        return length == 0 || crypto.EVP_EncryptUpdate(context, 0, scratch + OUT_LENGTH_OFFSET, address, length) == 1;
    }

    /** Encrypts {@code length} bytes at {@code address} in place, the next part of the datagram begun. */
    boolean encryptInPlace(final long address, final int length) {
        return length == 0
            || crypto.EVP_EncryptUpdate(context, address, scratch + OUT_LENGTH_OFFSET, address, length) == 1;
    }

    /** Ends the datagram begun and writes its tag at {@code tagOut}. */
    boolean finishEncrypt(final long tagOut) {
        final long outLength = scratch + OUT_LENGTH_OFFSET;
        return crypto.EVP_EncryptFinal_ex(context, scratch + FINAL_OUT_OFFSET, outLength) == 1
            && crypto.EVP_CIPHER_CTX_ctrl(context, LibCrypto.EVP_CTRL_GCM_GET_TAG, AuthHeader.TAG_LENGTH, tagOut) == 1;
    }

    /**
     * Authenticates {@code aadLength} bytes at {@code aad}, encrypts {@code dataLength} bytes at {@code data} in
     * place and writes the tag at {@code tagOut}. Returns false if libcrypto refused a step.
     */
    boolean encrypt(final long nonce, final long aad, final int aadLength, final long data, final int dataLength,
        final long tagOut) {
        final long outLength = scratch + OUT_LENGTH_OFFSET;
        return crypto.EVP_EncryptInit_ex(context(), 0, 0, 0, iv(nonce)) == 1
            && crypto.EVP_EncryptUpdate(context, 0, outLength, aad, aadLength) == 1
            && (dataLength == 0 || crypto.EVP_EncryptUpdate(context, data, outLength, data, dataLength) == 1)
            && crypto.EVP_EncryptFinal_ex(context, scratch + FINAL_OUT_OFFSET, outLength) == 1
            && crypto.EVP_CIPHER_CTX_ctrl(context, LibCrypto.EVP_CTRL_GCM_GET_TAG, AuthHeader.TAG_LENGTH, tagOut) == 1;
    }

    /**
     * Checks the tag at {@code tag} over {@code aad} and {@code data}, decrypting {@code data} in place. Returns
     * false if the tag does not match; then {@code data} holds no plaintext (it is zeroed).
     */
    boolean decrypt(final long nonce, final long aad, final int aadLength, final long data, final int dataLength,
        final long tag) {
        final long outLength = scratch + OUT_LENGTH_OFFSET;
        final boolean verified = crypto.EVP_DecryptInit_ex(context(), 0, 0, 0, iv(nonce)) == 1
            && crypto.EVP_DecryptUpdate(context, 0, outLength, aad, aadLength) == 1
            && (dataLength == 0 || crypto.EVP_DecryptUpdate(context, data, outLength, data, dataLength) == 1)
            && crypto.EVP_CIPHER_CTX_ctrl(context, LibCrypto.EVP_CTRL_GCM_SET_TAG, AuthHeader.TAG_LENGTH, tag) == 1
            && crypto.EVP_DecryptFinal_ex(context, scratch + FINAL_OUT_OFFSET, outLength) == 1;
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

    private long context() {
        if (context == 0) {
            throw new IllegalStateException("AES-128-GCM " + (encrypt ? "sealer" : "opener") + " is closed");
        }
        return context;
    }

    /** Frees the context and the scratch memory; idempotent. */
    @Override
    public void close() {
        if (context != 0) {
            crypto.EVP_CIPHER_CTX_free(context);
            context = 0;
            NativeMemory.free(scratch);
        }
    }
}
