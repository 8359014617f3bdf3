package io.weft.auth;

import java.security.GeneralSecurityException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF (RFC 5869) over the JDK's HMAC-SHA-256: extract, then expand. */
public final class Hkdf {
    /** HashLen of SHA-256. */
    public static final int HASH_LENGTH = 32;
    /** RFC 5869 section 2.3: L &lt;= 255 * HashLen. */
    public static final int MAX_OUTPUT_LENGTH = 255 * HASH_LENGTH;
    private static final String HMAC = "HmacSHA256";

    private Hkdf() {
    }

    /** Extract then expand: {@code length} bytes of output keying material. */
    public static byte[] derive(final byte[] salt, final byte[] inputKeyMaterial, final byte[] info,
        final int length) {
        return expand(extract(salt, inputKeyMaterial), info, length);
    }

    /** PRK = HMAC-Hash(salt, IKM); an empty salt stands for HashLen zero bytes (RFC 5869 section 2.2). */
    public static byte[] extract(final byte[] salt, final byte[] inputKeyMaterial) {
        final Mac mac = hmac(salt.length == 0 ? new byte[HASH_LENGTH] : salt);
        return mac.doFinal(inputKeyMaterial);
    }

    /** OKM = T(1) | T(2) | ... cut to {@code length}, T(i) = HMAC-Hash(PRK, T(i-1) | info | i). */
    public static byte[] expand(final byte[] pseudoRandomKey, final byte[] info, final int length) {
        if (pseudoRandomKey.length < HASH_LENGTH) {
            throw new IllegalArgumentException("HKDF's PRK has at least " + HASH_LENGTH + " bytes, not "
                + pseudoRandomKey.length);
        }
        if (length < 0 || length > MAX_OUTPUT_LENGTH) {
            throw new IllegalArgumentException("HKDF gives 0 to " + MAX_OUTPUT_LENGTH + " bytes, not " + length);
        }
        final Mac mac = hmac(pseudoRandomKey);
        final byte[] output = new byte[length];
        byte[] previous = new byte[0];
        for (int offset = 0, i = 1; offset < length; offset += HASH_LENGTH, i++) {
            mac.update(previous);
            mac.update(info);
            mac.update((byte)i);
            previous = mac.doFinal();
            System.arraycopy(previous, 0, output, offset, Math.min(HASH_LENGTH, length - offset));
        }
        return output;
    }

    private static Mac hmac(final byte[] key) {
        try {
            final Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + HMAC, e);
        }
    }
}
