package io.weft.auth;

/**
 * The functions of libgcrypt (GnuPG's cryptographic library) that seal and open datagrams, bound through jnr-ffi on
 * addresses: one cipher handle per key, AES-128 in GCM mode; per datagram only the IV, the associated data, the data
 * and the tag. Each returns a {@code gcry_error_t}: 0 when it worked.
 */
public interface LibGcrypt {
    /** {@code GCRY_CIPHER_AES128} ({@code GCRY_CIPHER_AES}). */
    int CIPHER_AES128 = 7;
    /** {@code GCRY_CIPHER_MODE_GCM}. */
    int MODE_GCM = 9;

    /**
     * Initialises the library (its first call, before any other) and returns its version, or null if older than
     * {@code required}.
     */
    String gcry_check_version(String required);

    /** Writes a new handle for {@code algorithm} in {@code mode} at {@code handleOut}. */
    int gcry_cipher_open(long handleOut, int algorithm, int mode, int flags);

    void gcry_cipher_close(long handle);

    int gcry_cipher_setkey(long handle, long key, long keyLength);

    int gcry_cipher_setiv(long handle, long iv, long ivLength);

    /** Adds associated data; GCM takes it in parts of any length, all before the data. */
    int gcry_cipher_authenticate(long handle, long data, long length);

    /** In place when {@code in} is 0 and {@code inLength} 0. */
    int gcry_cipher_encrypt(long handle, long out, long outLength, long in, long inLength);

    /** In place when {@code in} is 0 and {@code inLength} 0. */
    int gcry_cipher_decrypt(long handle, long out, long outLength, long in, long inLength);

    int gcry_cipher_gettag(long handle, long tagOut, long tagLength);

    /** 0 when the tag matches (compared in constant time), an error otherwise. */
    int gcry_cipher_checktag(long handle, long tag, long tagLength);
}
