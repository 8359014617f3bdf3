package io.weft.auth;

/**
 * Seals datagrams for one peer with one traffic key (one direction), in place and without allocating: one instance
 * per lane and per key, not thread-safe. {@link DatagramOpen} is its twin on the receiving side.
 *
 * <p>An authenticated datagram, as the UDP payload (all multi-byte fields big-endian):
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     type      |    key id     | receiver key  | reserved (0)  |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  sender lane  |                                               |  4
 * +-+-+-+-+-+-+-+-+   counter of that lane (56 bits)              +
 * |                                                               |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               | 12
 * ~     inner IPv4 packet, n bytes: in clear (0x51) or encrypted  ~
 * |     (0x52)                                                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               | 12 + n
 * +                  AES-128-GCM tag (16 bytes)                   +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * <ul>
 *   <li>type: {@link AuthHeader#TYPE_AUTHENTICATED 0x51} authenticated, {@link AuthHeader#TYPE_ENCRYPTED 0x52}
 *   authenticated and encrypted. The high nibble 5 makes flanneld and older weft drop it as not IPv4.</li>
 *   <li>key id, receiver key: the ids ({@link NodeKey#id}, 1 to 255) of the sender's key and of the receiver's key
 *   the traffic key was agreed from, so that either node can advertise a new key beside its old one (a rotation)
 *   and the receiver knows which to open with; 0 stands for the key the node advertises as its current one (weft
 *   before key ids wrote 0 in both).</li>
 *   <li>nonce (bytes 4 to 11): the sender's lane in the top 8 bits, that lane's counter in the low 56, so lanes
 *   never share a nonce; the receiver's replay window is per sender lane.</li>
 *   <li>GCM IV (12 bytes): 4 zero bytes, then the 8 nonce bytes.</li>
 *   <li>associated data: for 0x51, the 12 header bytes and the whole packet (nothing is encrypted); for 0x52, the
 *   12 header bytes, and the packet is the plaintext.</li>
 * </ul>
 */
public final class DatagramSeal implements AutoCloseable {
    /** What {@link #seal} returns if libgcrypt refused a step (not expected; count it and drop the datagram). */
    public static final int SEAL_FAILED = -1;

    private final GcmCipher cipher;

    /** @param trafficKey the 16-byte key of this direction ({@link TrafficKey#derive}); not kept here */
    public DatagramSeal(final byte[] trafficKey) {
        this.cipher = new GcmCipher(trafficKey, true);
    }

    /**
     * Seals the packet the caller put at {@code datagramAddress + 12}, with 16 bytes free after it: writes the
     * header, encrypts the packet in place for {@link AuthHeader#TYPE_ENCRYPTED}, writes the tag.
     *
     * @return the datagram's length, {@code packetLength + 28}, or {@link #SEAL_FAILED}
     * @throws IllegalArgumentException if a field does not fit its bits (a counter past 56 bits would reuse a nonce)
     */
    public int seal(final long datagramAddress, final int packetLength, final int type, final int keyId,
        final int lane, final long counter) {
        checkArguments(packetLength, type, keyId, lane, counter);
        AuthHeader.write(datagramAddress, type, keyId, lane, counter);
        final long packet = datagramAddress + AuthHeader.LENGTH;
        final long tag = packet + packetLength;
        final long nonce = datagramAddress + AuthHeader.NONCE_OFFSET;
        final boolean sealed = type == AuthHeader.TYPE_AUTHENTICATED
            ? cipher.encrypt(nonce, datagramAddress, AuthHeader.LENGTH + packetLength, packet, 0, tag)
            : cipher.encrypt(nonce, datagramAddress, AuthHeader.LENGTH, packet, packetLength, tag);
        return sealed ? packetLength + AuthHeader.OVERHEAD : SEAL_FAILED;
    }

    private static void checkArguments(final int packetLength, final int type, final int keyId, final int lane,
        final long counter) {
        if (packetLength < 0 || type != AuthHeader.TYPE_AUTHENTICATED && type != AuthHeader.TYPE_ENCRYPTED
            || keyId < 0 || keyId > AuthHeader.MAX_KEY_ID || lane < 0 || lane > AuthHeader.MAX_LANE
            || counter < 0 || counter > AuthHeader.MAX_COUNTER) {
            throw new IllegalArgumentException("cannot seal: packetLength " + packetLength + ", type 0x"
                + Integer.toHexString(type) + ", keyId " + keyId + ", lane " + lane + ", counter " + counter);
        }
    }

    /** Frees the native context; idempotent. */
    @Override
    public void close() {
        cipher.close();
    }
}
