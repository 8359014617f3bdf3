package io.weft.auth;

/**
 * Opens datagrams sealed by {@link DatagramSeal} (layout there) with one peer's traffic key, in place and without
 * allocating: one instance per lane and per peer key, not thread-safe. It checks the datagram only; the caller picks
 * the opener by {@link AuthHeader#keyId}, and checks the counter with a {@link ReplayWindow}.
 */
public final class DatagramOpen implements AutoCloseable {
    /** Fewer bytes than a header and a tag. */
    public static final int TOO_SHORT = -1;
    /** A first byte other than {@link AuthHeader#TYPE_AUTHENTICATED} or {@link AuthHeader#TYPE_ENCRYPTED}. */
    public static final int UNKNOWN_TYPE = -2;
    public static final int RESERVED_NOT_ZERO = -3;
    /** The tag does not match: forged, damaged, or sealed with another key. */
    public static final int BAD_TAG = -4;

    private final GcmCipher cipher;

    /** @param trafficKey the 16-byte key of the peer's direction towards this node; not kept here */
    public DatagramOpen(final byte[] trafficKey) {
        this.cipher = new GcmCipher(trafficKey, false);
    }

    /**
     * Checks the datagram and, for {@link AuthHeader#TYPE_ENCRYPTED}, decrypts its packet in place.
     *
     * @return the length of the inner packet, which starts at {@code datagramAddress + 12}, or a negative reason:
     *     {@link #TOO_SHORT}, {@link #UNKNOWN_TYPE}, {@link #RESERVED_NOT_ZERO}, {@link #BAD_TAG} (then the packet's
     *     bytes of an encrypted datagram are zeroed, so no forged plaintext remains)
     */
    public int open(final long datagramAddress, final int datagramLength) {
        return open(cipher, datagramAddress, datagramLength);
    }

    /** {@link #open} with {@code cipher}, keyed for the datagram's sender. */
    static int open(final GcmCipher cipher, final long datagramAddress, final int datagramLength) {
        if (datagramLength < AuthHeader.OVERHEAD) {
            return TOO_SHORT;
        }
        final int type = AuthHeader.type(datagramAddress);
        if (type != AuthHeader.TYPE_AUTHENTICATED && type != AuthHeader.TYPE_ENCRYPTED) {
            return UNKNOWN_TYPE;
        }
        if (!AuthHeader.reservedIsZero(datagramAddress)) {
            return RESERVED_NOT_ZERO;
        }
        final int packetLength = datagramLength - AuthHeader.OVERHEAD;
        final long packet = datagramAddress + AuthHeader.LENGTH;
        final long tag = packet + packetLength;
        final long nonce = datagramAddress + AuthHeader.NONCE_OFFSET;
        final boolean verified = type == AuthHeader.TYPE_AUTHENTICATED
            ? cipher.decrypt(nonce, datagramAddress, AuthHeader.LENGTH + packetLength, packet, 0, tag)
            : cipher.decrypt(nonce, datagramAddress, AuthHeader.LENGTH, packet, packetLength, tag);
        return verified ? packetLength : BAD_TAG;
    }

    /** A stable label of a reason {@link #open} returned, for counters and logs. */
    public static String reason(final int openResult) {
        switch (openResult) {
            case TOO_SHORT:
                return "too short";
            case UNKNOWN_TYPE:
                return "unknown type";
            case RESERVED_NOT_ZERO:
                return "reserved not zero";
            case BAD_TAG:
                return "bad tag";
            default:
                return openResult >= 0 ? "opened" : "unknown reason " + openResult;
        }
    }

    /** Frees the native context; idempotent. */
    @Override
    public void close() {
        cipher.close();
    }
}
