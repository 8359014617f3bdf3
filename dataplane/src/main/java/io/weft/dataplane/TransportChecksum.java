package io.weft.dataplane;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * TCP and UDP checksums over IPv4 (RFC 793, RFC 768): the pseudo-header, and an unfolded sum that reads eight bytes
 * at a time, for 64 KB super-packets. Sums are longs until {@link #fold}, so partial sums simply add up.
 */
final class TransportChecksum
{
    private TransportChecksum()
    {
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
    static long pseudoHeaderSum(final int source, final int destination, final int protocol, final int length)
    {
        return (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF) + protocol + length;
    }

    /**
     * Unfolded one's-complement sum of {@code length} bytes as 16-bit big-endian words, an odd last byte padded
     * with zero. Adding 32-bit halves is the same sum: 2^16 is 1 modulo 0xFFFF (RFC 1071, 2.(B)).
     */
    static long sum(final UnsafeBuffer buffer, final int offset, final int length)
    {
        long sum = 0;
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            final long word = buffer.getLong(offset + i, ByteOrder.BIG_ENDIAN);
            sum += (word >>> 32) + (word & 0xFFFF_FFFFL);
        }
        for (; i + 2 <= length; i += 2)
        {
            sum += buffer.getShort(offset + i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        if (i < length)
        {
            sum += (buffer.getByte(offset + i) & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds the carries of {@code sum} back in: 16 bits, 0xFFFF when the bytes summed verify. */
    static int fold(final long sum)
    {
        long folded = sum;
        while ((folded >>> 16) != 0)
        {
            folded = (folded & 0xFFFF) + (folded >>> 16);
        }
        return (int)folded;
    }
}
