package io.weft.auth;

/**
 * The 12-byte header of an authenticated weft datagram (layout in {@link DatagramSeal}), read at a native address
 * without allocating. The readers do not validate: {@link DatagramOpen#open} does.
 */
public final class AuthHeader {
    /** The inner packet in clear, authenticated with it as associated data. */
    public static final int TYPE_AUTHENTICATED = 0x51;
    /** The inner packet encrypted and authenticated. */
    public static final int TYPE_ENCRYPTED = 0x52;

    public static final int TYPE_OFFSET = 0;
    public static final int KEY_ID_OFFSET = 1;
    /** The id of the receiver's key the sender sealed for (0: the one it advertises first, as weft before ids). */
    public static final int RECEIVER_KEY_ID_OFFSET = 2;
    public static final int RESERVED_OFFSET = 3;
    public static final int NONCE_OFFSET = 4;
    /** Bytes before the inner packet. */
    public static final int LENGTH = 12;
    public static final int TAG_LENGTH = 16;
    /** Bytes an authenticated datagram adds to the inner packet. */
    public static final int OVERHEAD = LENGTH + TAG_LENGTH;

    /** The nonce's top 8 bits are the sender's lane, the low 56 bits that lane's counter. */
    public static final int LANE_SHIFT = 56;
    public static final int MAX_LANE = 0xff;
    public static final long MAX_COUNTER = (1L << LANE_SHIFT) - 1;
    public static final int MAX_KEY_ID = 0xff;

    private AuthHeader() {
    }

    /**
     * True when a datagram's first byte marks it as weft's authenticated kind (high nibble 5; an IPv4 packet's is
     * 4). {@link DatagramOpen#open} then tells whether its type is one this version knows.
     */
    public static boolean isAuthenticated(final int firstByte) {
        return (firstByte & 0xf0) == 0x50;
    }

    public static int type(final long datagramAddress) {
        return NativeMemory.getUnsignedByte(datagramAddress + TYPE_OFFSET);
    }

    public static int keyId(final long datagramAddress) {
        return NativeMemory.getUnsignedByte(datagramAddress + KEY_ID_OFFSET);
    }

    /** The 64-bit nonce, lane and counter together. */
    public static long nonce(final long datagramAddress) {
        return NativeMemory.getLongBigEndian(datagramAddress + NONCE_OFFSET);
    }

    public static int lane(final long datagramAddress) {
        return (int)(nonce(datagramAddress) >>> LANE_SHIFT);
    }

    public static long counter(final long datagramAddress) {
        return nonce(datagramAddress) & MAX_COUNTER;
    }

    static boolean reservedIsZero(final long datagramAddress) {
        return NativeMemory.getUnsignedByte(datagramAddress + RESERVED_OFFSET) == 0;
    }

    public static int receiverKeyId(final long datagramAddress) {
        return NativeMemory.getUnsignedByte(datagramAddress + RECEIVER_KEY_ID_OFFSET);
    }

    static void write(final long datagramAddress, final int type, final int keyId, final int lane,
        final long counter) {
        write(datagramAddress, type, keyId, 0, lane, counter);
    }

    static void write(final long datagramAddress, final int type, final int keyId, final int receiverKeyId,
        final int lane, final long counter) {
        NativeMemory.putByte(datagramAddress + TYPE_OFFSET, type);
        NativeMemory.putByte(datagramAddress + KEY_ID_OFFSET, keyId);
        NativeMemory.putByte(datagramAddress + RECEIVER_KEY_ID_OFFSET, receiverKeyId);
        NativeMemory.putByte(datagramAddress + RESERVED_OFFSET, 0);
        NativeMemory.putLongBigEndian(datagramAddress + NONCE_OFFSET, (long)lane << LANE_SHIFT | counter);
    }
}
