package io.weft.auth;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;

import javax.crypto.KeyAgreement;

/**
 * Converts between RFC 7748's raw X25519 public keys (the u-coordinate, 32 bytes little-endian) and the JDK's key
 * objects, and runs the X25519 function: the JDK's until many agreements at once load libcrypto's
 * ({@link OpenSslX25519}, faster), libcrypto's since.
 */
final class X25519 {
    static final int KEY_LENGTH = 32;
    static final String ALGORITHM = "X25519";
    /** RFC 7748 section 4.1: the base point u = 9; X25519(k, 9) is k's public key. */
    private static final byte[] BASE_POINT = basePoint();
    /** Set by the first agreement in bulk where libcrypto loads; never unset. */
    private static volatile boolean libcryptoLoaded;

    private X25519() {
    }

    static PublicKey publicKey(final byte[] raw) {
        if (raw.length != KEY_LENGTH) {
            throw new IllegalArgumentException("an X25519 public key has " + KEY_LENGTH + " bytes, not " + raw.length);
        }
        final byte[] bigEndian = new byte[KEY_LENGTH];
        for (int i = 0; i < KEY_LENGTH; i++) {
            bigEndian[i] = raw[KEY_LENGTH - 1 - i];
        }
        // RFC 7748 section 5: the most significant bit of the final byte is masked.
        bigEndian[0] &= 0x7f;
        try {
            return KeyFactory.getInstance(ALGORITHM)
                .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, bigEndian)));
        } catch (final GeneralSecurityException e) {
            throw new IllegalArgumentException("not an X25519 public key: " + e.getMessage(), e);
        }
    }

    static byte[] raw(final XECPublicKey key) {
        final byte[] bigEndian = key.getU().toByteArray();
        final byte[] raw = new byte[KEY_LENGTH];
        // toByteArray is minimal and may carry a leading sign byte: take the low 32 bytes, reversed.
        for (int i = 0; i < KEY_LENGTH && i < bigEndian.length; i++) {
            raw[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return raw;
    }

    /**
     * X25519(own private key, peer's u): the 32-byte little-endian result. In the JDK until an agreement in bulk
     * loaded libcrypto, in libcrypto since: its pages are resident then whatever runs.
     *
     * @throws IllegalArgumentException if the result is all zero (a low-order peer point, RFC 7748 section 6.1)
     */
    static byte[] agree(final PrivateKey own, final byte[] peerRaw) {
        return libcryptoLoaded ? libcryptoAgree(own, peerRaw) : jdkAgree(own, peerRaw);
    }

    /**
     * {@link #agree} for a node that agrees with many peers at once: in libcrypto where it loads
     * ({@link OpenSslX25519}, several times faster), which the first such call loads. A node that never has many to
     * agree with keeps libcrypto's pages out of its memory.
     */
    static byte[] agreeInBulk(final PrivateKey own, final byte[] peerRaw) {
        if (!libcryptoLoaded && OpenSslX25519.isAvailable()) {
            libcryptoLoaded = true;
        }
        return agree(own, peerRaw);
    }

    /** Where {@link #agree} runs now: "X25519 in the JDK" until an agreement in bulk loaded libcrypto. */
    static String engine() {
        return libcryptoLoaded ? "X25519 in " + OpenSslX25519.LIBRARY : "X25519 in the JDK";
    }

    /** {@link #agree} by libcrypto, with the JDK's answer where libcrypto refuses. */
    private static byte[] libcryptoAgree(final PrivateKey own, final byte[] peerRaw) {
        final byte[] scalar = own instanceof XECPrivateKey xec ? xec.getScalar().orElse(null) : null;
        if (scalar == null) {
            return jdkAgree(own, peerRaw);
        }
        final byte[] secret;
        try {
            secret = OpenSslX25519.agree(own, scalar, peerRaw);
        } finally {
            Arrays.fill(scalar, (byte) 0);
        }
        // Refused (a low-order point, or libcrypto out of memory): the JDK tells which, and throws for the first.
        return secret == null || isAllZero(secret) ? jdkAgree(own, peerRaw) : secret;
    }

    /** {@link #agree} by the JDK's provider. */
    static byte[] jdkAgree(final PrivateKey own, final byte[] peerRaw) {
        final byte[] secret;
        try {
            final KeyAgreement agreement = KeyAgreement.getInstance(ALGORITHM);
            agreement.init(own);
            agreement.doPhase(publicKey(peerRaw), true);
            secret = agreement.generateSecret();
        } catch (final GeneralSecurityException e) {
            // The JDK refuses a low-order point itself ("Point has small order"); the check below is the spec's.
            throw new IllegalArgumentException("X25519 with this peer key failed: " + e.getMessage(), e);
        }
        if (isAllZero(secret)) {
            throw new IllegalArgumentException("X25519 with this peer key gives zero: a low-order point");
        }
        return secret;
    }

    static byte[] publicKeyOf(final PrivateKey own) {
        return agree(own, BASE_POINT);
    }

    private static boolean isAllZero(final byte[] bytes) {
        int any = 0;
        for (final byte b : bytes) {
            any |= b;
        }
        return any == 0;
    }

    private static byte[] basePoint() {
        final byte[] u = new byte[KEY_LENGTH];
        u[0] = 9;
        return u;
    }

    static byte[] copy(final byte[] bytes) {
        return Arrays.copyOf(bytes, bytes.length);
    }
}
