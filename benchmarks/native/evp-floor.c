/*
 * What sealing one datagram costs in libcrypto itself, called from C with no binding in between: the floor under
 * weft's LaneSeal (issue 20, perf-reports/authentication.md). The same calls as GcmCipher makes per datagram: the IV,
 * the 12-byte header as associated data, the packet (associated data when authenticated, encrypted in place when
 * encrypted), the final call, the tag; for AES-128-GCM and, for comparison, ChaCha20-Poly1305.
 *
 *   gcc -O2 -o /tmp/evp-floor benchmarks/native/evp-floor.c -lcrypto && taskset -c 1 /tmp/evp-floor
 *
 * Prints the best of 5 runs of 1,000,000 datagrams, in ns per datagram. Needs libssl-dev.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { RUNS = 5, DATAGRAMS = 1000000, HEADER = 12, TAG = 16 };

static unsigned char key[32] = {1}, iv[12], header[HEADER] = {0x51}, packet[1400], tag[TAG], none[16];

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static double seal_ns(const EVP_CIPHER *cipher, int length, int encrypt) {
    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    int written;
    EVP_EncryptInit_ex(context, cipher, NULL, NULL, NULL);
    EVP_EncryptInit_ex(context, NULL, NULL, key, NULL);
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
    const int lengths[] = {64, 1400};
    printf("%-18s %6s %14s %14s\n", "cipher", "packet", "authenticated", "encrypted");
    for (int i = 0; i < 2; i++) {
        printf("%-18s %6d %11.0f ns %11.0f ns\n", "aes-128-gcm", lengths[i],
            seal_ns(EVP_aes_128_gcm(), lengths[i], 0), seal_ns(EVP_aes_128_gcm(), lengths[i], 1));
        printf("%-18s %6d %11.0f ns %11.0f ns\n", "chacha20-poly1305", lengths[i],
            seal_ns(EVP_chacha20_poly1305(), lengths[i], 0), seal_ns(EVP_chacha20_poly1305(), lengths[i], 1));
    }
    return 0;
}
