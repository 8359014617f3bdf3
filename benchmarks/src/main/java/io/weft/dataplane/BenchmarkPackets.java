package io.weft.dataplane;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

import io.weft.routing.Ipv4Addresses;

/** Writes a valid UDP-in-IPv4 packet (20-byte header, DF set) at offset 0 of a packet buffer, for benchmark setup. */
final class BenchmarkPackets
{
    static final int TOTAL_LENGTH = 1400;
    static final int TTL = 64;
    private static final int DONT_FRAGMENT = 0x4000;

    private BenchmarkPackets()
    {
    }

    static int ip(final String dotted)
    {
        return Ipv4Addresses.parse(dotted);
    }

    static void writeUdp(final UnsafeBuffer buffer, final int source, final int destination)
    {
        for (int i = Ipv4Header.MIN_LENGTH; i < TOTAL_LENGTH; i++)
        {
            buffer.putByte(i, (byte)(i * 7));
        }
        buffer.putByte(Ipv4Header.VERSION_IHL_OFFSET, (byte)0x45);
        buffer.putByte(1, (byte)0);
        buffer.putShort(Ipv4Header.TOTAL_LENGTH_OFFSET, (short)TOTAL_LENGTH, ByteOrder.BIG_ENDIAN);
        buffer.putShort(Ipv4Header.IDENTIFICATION_OFFSET, (short)0x1234, ByteOrder.BIG_ENDIAN);
        buffer.putShort(Ipv4Header.FLAGS_FRAGMENT_OFFSET, (short)DONT_FRAGMENT, ByteOrder.BIG_ENDIAN);
        buffer.putByte(Ipv4Header.TTL_OFFSET, (byte)TTL);
        buffer.putByte(Ipv4Header.PROTOCOL_OFFSET, (byte)Ipv4Header.PROTOCOL_UDP);
        buffer.putInt(Ipv4Header.SOURCE_OFFSET, source, ByteOrder.BIG_ENDIAN);
        buffer.putInt(Ipv4Header.DESTINATION_OFFSET, destination, ByteOrder.BIG_ENDIAN);
        Checksum.store(buffer, 0, Ipv4Header.MIN_LENGTH, Ipv4Header.CHECKSUM_OFFSET);
    }
}
