package io.weft.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The AES-128 key of one direction between two nodes: HKDF-SHA-256 of their X25519 shared secret, salt
 * {@code "weft-udp-v1"}, info = sender's public key, receiver's public key, sender's epoch, receiver's epoch (each 8
 * bytes big-endian). The order of the keys in info makes the two directions' keys differ; the epochs make the keys
 * new whenever either node starts again, so the sender's counters, which the receiver's restart also resets (the
 * sender drops its per-peer state with the peer's old epoch), may start at 0 without reusing a nonce.
 */
public final class TrafficKey {
    public static final int LENGTH = 16;
    private static final byte[] SALT = "weft-udp-v1".getBytes(StandardCharsets.US_ASCII);

    private TrafficKey() {
    }

    public static byte[] derive(final byte[] sharedSecret, final byte[] senderPublicKey,
        final byte[] receiverPublicKey, final long senderEpoch, final long receiverEpoch) {
        checkLength("shared secret", sharedSecret);
        checkLength("sender's public key", senderPublicKey);
        checkLength("receiver's public key", receiverPublicKey);
        final byte[] info = ByteBuffer.allocate(2 * X25519.KEY_LENGTH + 2 * Long.BYTES)
            .put(senderPublicKey)
            .put(receiverPublicKey)
            .putLong(senderEpoch)
            .putLong(receiverEpoch)
            .array();
        return Hkdf.derive(SALT, sharedSecret, info, LENGTH);
    }

    private static void checkLength(final String what, final byte[] bytes) {
        if (bytes.length != X25519.KEY_LENGTH) {
            throw new IllegalArgumentException("the " + what + " has " + X25519.KEY_LENGTH + " bytes, not "
                + bytes.length);
        }
    }
}
