package io.weft.auth;

/**
 * The part of OpenSSL 3's libcrypto that X25519 needs, bound through jnr-ffi on addresses as {@link LibGcrypt} is:
 * raw keys in, a shared secret out. Public only because jnr-ffi generates its implementation in another class
 * loader; use {@link NodeKey#sharedSecretInBulk} instead.
 */
public interface LibCryptoX25519 {
    /** {@code EVP_PKEY_X25519} ({@code NID_X25519}). */
    int EVP_PKEY_X25519 = 1034;
    /** {@code OPENSSL_INIT_NO_LOAD_CONFIG}: no openssl.cnf (nor OPENSSL_CONF) loads providers into weftd. */
    long OPENSSL_INIT_NO_LOAD_CONFIG = 0x80L;
    /** {@code OPENSSL_INIT_NO_ATEXIT}: no clean-up at exit while the JVM's other threads may still be inside. */
    long OPENSSL_INIT_NO_ATEXIT = 0x80000L;

    /** Before any other call; 1 when it worked. */
    int OPENSSL_init_crypto(long options, long settings);

    /** A new key object from 32 raw bytes at {@code key}; 0 if refused. */
    long EVP_PKEY_new_raw_private_key(int type, long engine, long key, long keyLength);

    long EVP_PKEY_new_raw_public_key(int type, long engine, long key, long keyLength);

    /** One more reference to {@code key}; 1 when it worked. */
    int EVP_PKEY_up_ref(long key);

    /** Drops a reference; the last one frees it (and clears a private key). */
    void EVP_PKEY_free(long key);

    long EVP_PKEY_CTX_new(long key, long engine);

    void EVP_PKEY_CTX_free(long context);

    /** Each returns 1 when it worked. */
    int EVP_PKEY_derive_init(long context);

    int EVP_PKEY_derive_set_peer(long context, long peer);

    /** Writes the secret at {@code secret}; {@code length} points to a size_t, its room before and its length after. */
    int EVP_PKEY_derive(long context, long secret, long length);
}
