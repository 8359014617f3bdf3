package io.weft.dataplane.packet;

import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over an IPv4 header at an offset of a packet buffer (RFC 791). Fields are read in network order;
 * addresses are ints ("10.244.1.2" is 0x0AF40102).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv4Header {
    public static final int MIN_LENGTH = 20;
    static final int VERSION_IHL_OFFSET = 0;
    /** The first byte of a header without options: version 4, IHL 5. */
    static final int VERSION_4_IHL_5 = 0x45;
    static final int TYPE_OF_SERVICE_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    static final int FLAGS_FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SOURCE_OFFSET = 12;
    public static final int DESTINATION_OFFSET = 16;
    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;
    /** Flags: don't fragment, more fragments; the low 13 bits are the fragment offset. */
    static final int DONT_FRAGMENT = 0x4000;
    static final int MORE_FRAGMENTS = 0x2000;
    private static final int FRAGMENT_OFFSET_MASK = 0x1FFF;
    /** Set in a fragment of a larger packet, the first included. */
    static final int MORE_FRAGMENTS_AND_OFFSET = MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK;

    private UnsafeBuffer buffer;
    private int offset;

    /** The header at offset 0 of {@code buffer}. */
    public Ipv4Header wrap(final UnsafeBuffer buffer) {
        return wrap(buffer, 0);
    }

    public Ipv4Header wrap(final UnsafeBuffer buffer, final int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int version() {
        return (buffer.getByte(offset + VERSION_IHL_OFFSET) & 0xF0) >>> 4;
    }

    /** Header length in bytes (IHL x 4). */
    public int headerLength() {
        return (buffer.getByte(offset + VERSION_IHL_OFFSET) & 0x0F) << 2;
    }

    public int totalLength() {
        return buffer.getShort(offset + TOTAL_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    Ipv4Header totalLength(final int totalLength) {
        buffer.putShort(offset + TOTAL_LENGTH_OFFSET, (short)totalLength, ByteOrder.BIG_ENDIAN);
        return this;
    }

    int identification() {
        return buffer.getShort(offset + IDENTIFICATION_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /** The 16 bits of flags and fragment offset, as one value. */
    int flagsAndFragmentOffset() {
        return buffer.getShort(offset + FLAGS_FRAGMENT_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    int ttl() {
        return buffer.getByte(offset + TTL_OFFSET) & 0xFF;
    }

    int protocol() {
        return buffer.getByte(offset + PROTOCOL_OFFSET) & 0xFF;
    }

    public int source() {
        return buffer.getInt(offset + SOURCE_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    public int destination() {
        return buffer.getInt(offset + DESTINATION_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /** True for a fragment of a larger packet, the first included: more fragments follow, or this one is not first. */
    boolean isFragment() {
        return (flagsAndFragmentOffset() & MORE_FRAGMENTS_AND_OFFSET) != 0;
    }

    /** True for an unfragmented packet or the first fragment: the only ones that may draw an ICMP error. */
    boolean isFirstFragment() {
        return (flagsAndFragmentOffset() & FRAGMENT_OFFSET_MASK) == 0;
    }

    /** True when the header checksum over {@code headerLength()} bytes verifies. */
    public boolean hasValidChecksum() {
        return Checksum.foldedSum(buffer, offset, headerLength()) == 0xFFFF;
    }

    /** Computes and stores the header checksum over {@code headerLength()} bytes. */
    Ipv4Header storeChecksum() {
        Checksum.store(buffer, offset, headerLength(), offset + CHECKSUM_OFFSET);
        return this;
    }

    /**
     * Decrements the TTL and patches the checksum incrementally (RFC 1624), as the kernel's ip_decrease_ttl does.
     * Returns false, leaving the packet alone, when the TTL would reach zero: flannel drops those.
     */
    public boolean decrementTtl() {
        final int ttl = ttl();
        if (ttl <= 1) {
            return false;
        }
        buffer.putByte(offset + TTL_OFFSET, (byte)(ttl - 1));
        // TTL is the high byte of its 16-bit word, so the one's-complement sum drops by 0x0100: add it to the checksum.
        int checksum = (buffer.getShort(offset + CHECKSUM_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF) + 0x0100;
        checksum += checksum >= 0xFFFF ? 1 : 0;
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, ByteOrder.BIG_ENDIAN);
        return true;
    }
}
