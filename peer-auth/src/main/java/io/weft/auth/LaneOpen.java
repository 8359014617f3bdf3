package io.weft.auth;

/**
 * A lane's opener for every peer: a few cipher handles ({@link CipherCache}), each keyed for one sender, so that
 * datagrams from a few senders in turn run no key schedule, and a lane holds native state for a few peers only.
 * Checks as {@link DatagramOpen} does, with the same results. Not thread-safe: one per lane.
 */
public final class LaneOpen implements AutoCloseable {
    private final CipherCache ciphers = new CipherCache(false);

    /**
     * Opens the datagram at {@code datagramAddress} with {@code trafficKey}, the sender's key towards this node.
     *
     * @return the length of the inner packet, at {@code datagramAddress + 12}, or a negative reason of
     *     {@link DatagramOpen}'s ({@link DatagramOpen#BAD_TAG} also when libgcrypt refused the key)
     */
    public int open(final byte[] trafficKey, final long datagramAddress, final int datagramLength) {
        final GcmCipher cipher = ciphers.keyedFor(trafficKey);
        if (cipher == null) {
            return DatagramOpen.BAD_TAG;
        }
        return DatagramOpen.open(cipher, datagramAddress, datagramLength);
    }

    @Override
    public void close() {
        ciphers.close();
    }
}
