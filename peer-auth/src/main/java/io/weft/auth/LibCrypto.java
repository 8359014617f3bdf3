package io.weft.auth;

/**
 * The only jnr-ffi declarations of this module: the part of OpenSSL 3's libcrypto that AES-128-GCM needs, shaped like
 * the C functions. Every pointer is a {@code long} address so that calls on the packet path box and allocate
 * nothing; no declaration takes more than five arguments (jnr-ffi 2.2.19's x86_64 stubs garble a sixth, see
 * tun-device's {@code LibC}). Public only because jnr-ffi generates its implementation in another class loader; use
 * {@link DatagramSeal} and {@link DatagramOpen} instead.
 */
public interface LibCrypto {
    /** {@code EVP_CIPHER_CTX_ctrl} type: copy the tag out after {@code EVP_EncryptFinal_ex}. */
    int EVP_CTRL_GCM_GET_TAG = 0x10;
    /** {@code EVP_CIPHER_CTX_ctrl} type: the expected tag, before {@code EVP_DecryptFinal_ex}. */
    int EVP_CTRL_GCM_SET_TAG = 0x11;

    long OpenSSL_version_num();

    long EVP_CIPHER_CTX_new();

    void EVP_CIPHER_CTX_free(long context);

    /** A static cipher description owned by libcrypto: never freed. */
    long EVP_aes_128_gcm();

    /** Each NULL ({@code 0}) argument keeps what an earlier call set: a key once, then only an IV per datagram. */
    int EVP_EncryptInit_ex(long context, long cipher, long engine, long key, long iv);

    int EVP_DecryptInit_ex(long context, long cipher, long engine, long key, long iv);

    /** With {@code out} NULL the input is associated data only. {@code outLength} points to an int. */
    int EVP_EncryptUpdate(long context, long out, long outLength, long in, int inLength);

    int EVP_DecryptUpdate(long context, long out, long outLength, long in, int inLength);

    int EVP_EncryptFinal_ex(long context, long out, long outLength);

    /** Returns 1 only when the tag set with {@link #EVP_CTRL_GCM_SET_TAG} matches. */
    int EVP_DecryptFinal_ex(long context, long out, long outLength);

    int EVP_CIPHER_CTX_ctrl(long context, int type, int argument, long pointer);
}
