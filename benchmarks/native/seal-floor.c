/*
 * What sealing one datagram costs in the cryptographic library itself, called from C with no binding in between: the
 * floor under weft's LaneSeal (issue 20, perf-reports/authentication.md). AES-128-GCM through libgcrypt, with the
 * calls GcmCipher makes per datagram (IV, the 12-byte header as associated data, the packet as associated data when
 * authenticated or encrypted in place when encrypted, the tag), and through OpenSSL 3's EVP interface, with the calls
 * GcmCipher made before it moved to libgcrypt (IV, header, packet, final call, tag).
 *
 *   gcc -O2 -o /tmp/seal-floor benchmarks/native/seal-floor.c -lgcrypt -lcrypto && taskset -c 1 /tmp/seal-floor
 *
 * Prints the best of 5 runs of 1,000,000 datagrams, in ns per datagram. Needs libgcrypt20-dev and libssl-dev.
 */
#include <gcrypt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { RUNS = 5, DATAGRAMS = 1000000, HEADER = 12, TAG = 16, IV = 12 };

static unsigned char key[16] = {1}, iv[IV], header[HEADER] = {0x51}, packet[1400], tag[TAG], none[16];

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static double gcrypt_ns(int length, int encrypt) {
    gcry_cipher_hd_t handle;
    gcry_cipher_open(&handle, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0);
    gcry_cipher_setkey(handle, key, sizeof key);
    double best = 1e18;
    for (int run = 0; run < RUNS; run++) {
        double start = now_ns();
        for (long i = 0; i < DATAGRAMS; i++) {
            memcpy(iv + 4, &i, sizeof i);
            gcry_cipher_setiv(handle, iv, IV);
            gcry_cipher_authenticate(handle, header, HEADER);
            if (encrypt) {
                gcry_cipher_encrypt(handle, packet, length, NULL, 0);
            } else {
                gcry_cipher_authenticate(handle, packet, length);
            }
            gcry_cipher_gettag(handle, tag, TAG);
        }
        double ns = (now_ns() - start) / DATAGRAMS;
        best = ns < best ? ns : best;
    }
    gcry_cipher_close(handle);
    return best;
}

static double evp_ns(int length, int encrypt) {
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    int written;
    EVP_EncryptInit_ex(context, EVP_aes_128_gcm(), NULL, key, NULL);
    double best = 1e18;
    for (int run = 0; run < RUNS; run++) {
        double start = now_ns();
        for (long i = 0; i < DATAGRAMS; i++) {
            memcpy(iv + 4, &i, sizeof i);
            EVP_EncryptInit_ex(context, NULL, NULL, NULL, iv);
            EVP_EncryptUpdate(context, NULL, &written, header, HEADER);
            EVP_EncryptUpdate(context, encrypt ? packet : NULL, &written, packet, length);
            EVP_EncryptFinal_ex(context, none, &written);
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, TAG, tag);
        }
        double ns = (now_ns() - start) / DATAGRAMS;
        best = ns < best ? ns : best;
    }
    EVP_CIPHER_CTX_free(context);
    return best;
}

int main(void) {
    if (!gcry_check_version("1.8.0")) {
        fprintf(stderr, "libgcrypt older than 1.8.0\n");
        return 1;
    }
    const int lengths[] = {64, 1400};
    printf("%-26s %6s %14s %14s\n", "AES-128-GCM through", "packet", "authenticated", "encrypted");
    for (int i = 0; i < 2; i++) {
        printf("%-26s %6d %11.0f ns %11.0f ns\n", "libgcrypt", lengths[i], gcrypt_ns(lengths[i], 0),
            gcrypt_ns(lengths[i], 1));
        printf("%-26s %6d %11.0f ns %11.0f ns\n", "OpenSSL 3 libcrypto (EVP)", lengths[i], evp_ns(lengths[i], 0),
            evp_ns(lengths[i], 1));
    }
    return 0;
}
