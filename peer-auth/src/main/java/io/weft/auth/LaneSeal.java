package io.weft.auth;

/**
 * A lane's sealer for every peer: a few cipher handles ({@link CipherCache}), each keyed for one peer, so that
 * datagrams to a few peers in turn run no key schedule, and a lane holds native state for a few peers only. Seals
 * datagrams whose parts lie apart, as a lane sends them: the header and tag written into places of their own, the
 * packet's headers and payload where they are, in clear or encrypted in place. The
 * datagram is laid out as {@link DatagramSeal} describes, and {@link DatagramOpen} or {@link LaneOpen} open it. Not
 * thread-safe: one per lane.
 */
public final class LaneSeal implements AutoCloseable {
    private final CipherCache ciphers = new CipherCache(true);
    private final int type;

    /** @param encrypt encrypt the packets ({@link AuthHeader#TYPE_ENCRYPTED}), else only authenticate them. */
    public LaneSeal(final boolean encrypt) {
        this.type = encrypt ? AuthHeader.TYPE_ENCRYPTED : AuthHeader.TYPE_AUTHENTICATED;
    }

    /**
     * Writes the 12-byte header at {@code header} with {@code nonce} (the sender lane in the top 8 bits, its counter
     * for this key below: never twice under one key), authenticates the header and the packet, its two parts
     * {@code part1} and {@code part2} (either may be empty), encrypting them in place if so made, and writes the
     * 16-byte tag at {@code tag}. False if libgcrypt refused a step: the datagram must not be sent.
     */
    public boolean seal(final byte[] trafficKey, final long nonce, final long header, final long part1,
        final int length1, final long part2, final int length2, final long tag) {
        return seal(trafficKey, 0, 0, nonce, header, part1, length1, part2, length2, tag);
    }

    /**
     * {@link #seal(byte[], long, long, long, int, long, int, long)} with the ids of the two keys the traffic key was
     * agreed from written in the header: ours ({@code keyId}) and the receiver's ({@code receiverKeyId}).
     */
    public boolean seal(final byte[] trafficKey, final int keyId, final int receiverKeyId, final long nonce,
        final long header, final long part1, final int length1, final long part2, final int length2, final long tag) {
        final GcmCipher cipher = ciphers.keyedFor(trafficKey);
        if (cipher == null) {
            return false;
        }
        AuthHeader.write(header, type, keyId, receiverKeyId, (int)(nonce >>> AuthHeader.LANE_SHIFT),
            nonce & AuthHeader.MAX_COUNTER);
        final boolean sealed = cipher.begin(header + AuthHeader.NONCE_OFFSET)
            && cipher.authenticate(header, AuthHeader.LENGTH)
            && (type == AuthHeader.TYPE_AUTHENTICATED
                ? cipher.authenticate(part1, length1) && cipher.authenticate(part2, length2)
                : cipher.encryptInPlace(part1, length1) && cipher.encryptInPlace(part2, length2))
            && cipher.finishEncrypt(tag);
        return sealed;
    }

    @Override
    public void close() {
        ciphers.close();
    }
}
