package io.weft.auth;

/**
 * A lane's opener for every peer: one libcrypto context, given the sender's traffic key only when the sender changes
 * from one datagram to the next (a GRO run is one sender's), so a lane holds no native state per peer. Checks as
 * {@link DatagramOpen} does, with the same results. Not thread-safe: one per lane.
 */
public final class LaneOpen implements AutoCloseable {
    private final GcmCipher cipher = new GcmCipher(false);
    /** The key the context holds, by identity: a peer's key array is made once per key and epoch. */
    private byte[] key;

    /**
     * Opens the datagram at {@code datagramAddress} with {@code trafficKey}, the sender's key towards this node.
     *
     * @return the length of the inner packet, at {@code datagramAddress + 12}, or a negative reason of
     *     {@link DatagramOpen}'s ({@link DatagramOpen#BAD_TAG} also when libcrypto refused the key)
     */
    public int open(final byte[] trafficKey, final long datagramAddress, final int datagramLength) {
        if (trafficKey != key) {
            key = cipher.rekey(trafficKey) ? trafficKey : null;
            if (key == null) {
                return DatagramOpen.BAD_TAG;
            }
        }
        return DatagramOpen.open(cipher, datagramAddress, datagramLength);
    }

    @Override
    public void close() {
        cipher.close();
        key = null;
    }
}
