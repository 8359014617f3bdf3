package io.weft.dataplane.packet;

import java.nio.ByteOrder;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * TCP and UDP checksums over IPv4 (RFC 793, RFC 768): the pseudo-header, and an unfolded sum that reads eight bytes
 * at a time, for 64 KB super-packets. Sums are longs until {@link #fold}, so partial sums simply add up.
 */
final class TransportChecksum {
    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private TransportChecksum() {
    }

    /**
     * Sum of the pseudo-header: source, destination, zero, protocol, TCP/UDP length.
     * <pre>
     * +--------+--------+--------+--------+
     * |           Source Address          |
     * +--------+--------+--------+--------+
     * |         Destination Address       |
     * +--------+--------+--------+--------+
     * |  zero  |  PTCL  |  TCP/UDP Length |
     * +--------+--------+--------+--------+
     * </pre>
     */
    static long pseudoHeaderSum(final int source, final int destination, final int protocol, final int length) {
        return (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF) + protocol + length;
    }

    /**
     * True when the checksum field of the TCP segment or UDP datagram at {@code buffer[transport, transport + length)}
     * holds what the kernel puts there for CHECKSUM_PARTIAL: the folded, uncomplemented pseudo-header sum (never 0).
     */
    static boolean isPartial(final UnsafeBuffer buffer, final int source, final int destination, final int protocol,
        final int transport, final int length) {
        final int field = transport + (protocol == Ipv4Header.PROTOCOL_TCP ? TcpHeader.CHECKSUM_OFFSET :
            UdpHeader.CHECKSUM_OFFSET);
        return (buffer.getShort(field, ByteOrder.BIG_ENDIAN) & 0xFFFF) ==
            fold(pseudoHeaderSum(source, destination, protocol, length));
    }

    /**
     * One's-complement sum of {@code length} bytes as 16-bit big-endian words, an odd last byte padded with zero;
     * the result is folded to 16 bits, so partial sums still add up. The words are read eight bytes at a time in the
     * machine's own order, without a byte swap per word: the one's-complement sum of byte-swapped words is the
     * byte-swapped sum (RFC 1071, 2.(B)), so one swap at the end fixes it. Adding 32-bit halves is the same sum: 2^16
     * is 1 modulo 0xFFFF. The bounds are checked once, not per word.
     */
    static long sum(final UnsafeBuffer buffer, final int offset, final int length) {
        buffer.boundsCheck(offset, length);
        final byte[] array = buffer.byteArray();
        final long address = buffer.addressOffset() + offset;
        long high = 0;
        long low = 0;
        int i = 0;
        for (; i + 16 <= length; i += 16) {
            final long first = UnsafeApi.getLong(array, address + i);
            final long second = UnsafeApi.getLong(array, address + i + 8);
            high += (first >>> 32) + (second >>> 32);
            low += (first & 0xFFFF_FFFFL) + (second & 0xFFFF_FFFFL);
        }
        long sum = high + low;
        for (; i < length; i++) {
            final int value = UnsafeApi.getByte(array, address + i) & 0xFF;
            sum += ((i & 1) == 0) == NATIVE_LITTLE_ENDIAN ? value : value << 8;
        }
        final int folded = fold(sum);
        return NATIVE_LITTLE_ENDIAN ? Short.reverseBytes((short)folded) & 0xFFFF : folded;
    }

    /** Folds the carries of {@code sum} back in: 16 bits, 0xFFFF when the bytes summed verify. */
    static int fold(final long sum) {
        long folded = sum;
        while ((folded >>> 16) != 0) {
            folded = (folded & 0xFFFF) + (folded >>> 16);
        }
        return (int)folded;
    }
}
