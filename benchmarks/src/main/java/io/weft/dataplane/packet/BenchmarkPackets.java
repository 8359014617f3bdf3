package io.weft.dataplane.packet;

import io.weft.routing.Ipv4Addresses;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes valid packets into packet buffers for benchmark setup: a UDP-in-IPv4 packet, TCP/IPv4 segments as a peer
 * sends them, and what a TUN with offloads hands over (a TSO super-packet, a packet with its checksum left partial).
 */
public final class BenchmarkPackets {
    public static final int TOTAL_LENGTH = 1400;
    static final int TTL = 64;
    /** IPv4 + TCP with the timestamps option, as Linux sends every segment. */
    static final int TCP_HEADERS_LENGTH = Ipv4Header.MIN_LENGTH + TcpHeader.MIN_LENGTH + 12;
    /** The MSS of the 1472-byte overlay MTU (1500 - 28) with timestamps: 1472 - 52. */
    static final int TCP_MSS = 1420;
    static final int TCP_SOURCE = Ipv4Addresses.parse("10.244.1.2");
    static final int TCP_DESTINATION = Ipv4Addresses.parse("10.244.2.3");
    private static final int DONT_FRAGMENT = 0x4000;
    /** NOP, NOP, Timestamps (kind 8, length 10, TSval, TSecr). */
    private static final long NOP_NOP_TIMESTAMPS_TSVAL = 0x0101_080A_0001_2345L;
    private static final int TSECR = 0x0000_6789;

    private BenchmarkPackets() {
    }

    static final int UDP_HEADER_LENGTH = 8;

    public static int ip(final String dotted) {
        return Ipv4Addresses.parse(dotted);
    }

    public static void writeUdp(final UnsafeBuffer buffer, final int source, final int destination) {
        writePayload(buffer, Ipv4Header.MIN_LENGTH, TOTAL_LENGTH - Ipv4Header.MIN_LENGTH, Ipv4Header.MIN_LENGTH);
        writeIpv4Header(buffer, 0, TOTAL_LENGTH, Ipv4Header.PROTOCOL_UDP, source, destination);
    }

    /**
     * Writes at {@code offset} a UDP/IPv4 datagram of flow 10.244.1.2:40000 -> 10.244.2.3:5201 with IP identification
     * {@code identification} and {@code payload} bytes, valid IP and UDP checksums.
     *
     * @return the packet's length.
     */
    static int writeUdpDatagram(final UnsafeBuffer buffer, final int offset, final int identification,
        final int payload) {
        final int length = Ipv4Header.MIN_LENGTH + UDP_HEADER_LENGTH + payload;
        final int udp = offset + Ipv4Header.MIN_LENGTH;
        writeIpv4Header(buffer, offset, length, Ipv4Header.PROTOCOL_UDP, TCP_SOURCE, TCP_DESTINATION);
        buffer.putShort(offset + Ipv4Header.IDENTIFICATION_OFFSET, (short)identification, ByteOrder.BIG_ENDIAN);
        Checksum.store(buffer, offset, Ipv4Header.MIN_LENGTH, offset + Ipv4Header.CHECKSUM_OFFSET);
        buffer.putShort(udp, (short)40_000, ByteOrder.BIG_ENDIAN);
        buffer.putShort(udp + 2, (short)5201, ByteOrder.BIG_ENDIAN);
        buffer.putShort(udp + 4, (short)(UDP_HEADER_LENGTH + payload), ByteOrder.BIG_ENDIAN);
        buffer.putShort(udp + 6, (short)0);
        writePayload(buffer, udp + UDP_HEADER_LENGTH, payload, identification);
        final long sum = TransportChecksum.pseudoHeaderSum(TCP_SOURCE, TCP_DESTINATION, Ipv4Header.PROTOCOL_UDP,
            UDP_HEADER_LENGTH + payload) + TransportChecksum.sum(buffer, udp, UDP_HEADER_LENGTH + payload);
        final int checksum = ~TransportChecksum.fold(sum) & 0xFFFF;
        buffer.putShort(udp + 6, (short)(checksum == 0 ? 0xFFFF : checksum), ByteOrder.BIG_ENDIAN);
        return length;
    }

    /**
     * Writes at {@code offset} a TCP/IPv4 segment of flow 10.244.1.2:40000 -> 10.244.2.3:5201 with {@code payload}
     * bytes starting at {@code sequence}, only ACK set, valid IP and TCP checksums.
     *
     * @return the packet's length.
     */
    static int writeTcp(final UnsafeBuffer buffer, final int offset, final int sequence, final int payload) {
        final int length = TCP_HEADERS_LENGTH + payload;
        final int tcp = offset + Ipv4Header.MIN_LENGTH;
        writeIpv4Header(buffer, offset, length, Ipv4Header.PROTOCOL_TCP, TCP_SOURCE, TCP_DESTINATION);
        buffer.putShort(tcp + TcpHeader.SOURCE_PORT_OFFSET, (short)40_000, ByteOrder.BIG_ENDIAN);
        buffer.putShort(tcp + TcpHeader.DESTINATION_PORT_OFFSET, (short)5201, ByteOrder.BIG_ENDIAN);
        buffer.putInt(tcp + TcpHeader.SEQUENCE_OFFSET, sequence, ByteOrder.BIG_ENDIAN);
        buffer.putInt(tcp + TcpHeader.ACKNOWLEDGMENT_OFFSET, 777_777, ByteOrder.BIG_ENDIAN);
        buffer.putByte(tcp + TcpHeader.DATA_OFFSET_OFFSET, (byte)((TCP_HEADERS_LENGTH - Ipv4Header.MIN_LENGTH) << 2));
        buffer.putByte(tcp + TcpHeader.FLAGS_OFFSET, (byte)TcpHeader.ACK);
        buffer.putShort(tcp + TcpHeader.WINDOW_OFFSET, (short)502, ByteOrder.BIG_ENDIAN);
        buffer.putShort(tcp + TcpHeader.CHECKSUM_OFFSET, (short)0);
        buffer.putShort(tcp + TcpHeader.URGENT_POINTER_OFFSET, (short)0);
        buffer.putLong(tcp + TcpHeader.OPTIONS_OFFSET, NOP_NOP_TIMESTAMPS_TSVAL, ByteOrder.BIG_ENDIAN);
        buffer.putInt(tcp + TcpHeader.OPTIONS_OFFSET + 8, TSECR, ByteOrder.BIG_ENDIAN);
        writePayload(buffer, offset + TCP_HEADERS_LENGTH, payload, sequence);
        final long sum = pseudoHeaderSum(length) + TransportChecksum.sum(buffer, tcp, length - Ipv4Header.MIN_LENGTH);
        buffer.putShort(tcp + TcpHeader.CHECKSUM_OFFSET, (short)~TransportChecksum.fold(sum), ByteOrder.BIG_ENDIAN);
        return length;
    }

    /**
     * Writes at offset 0 {@code [virtio_net_hdr][IPv4/TCP]} as a TUN with TSO4 and CSUM hands a super-packet over:
     * GSO TCPV4 of {@code gsoSize}, NEEDS_CSUM, the TCP checksum field holding the pseudo-header sum only.
     *
     * @return the length a TUN read returns for it: the virtio_net_hdr and the packet.
     */
    static int writeTsoSuperPacket(final UnsafeBuffer buffer, final int payload, final int gsoSize) {
        final int length = writeChecksumPartial(buffer, payload);
        new VirtioNetHeader().wrap(buffer, 0).gsoType(VirtioNetHeader.GSO_TCPV4).gsoSize(gsoSize);
        return length;
    }

    /**
     * Writes at offset 0 {@code [virtio_net_hdr][IPv4/TCP]} as a TUN with CSUM hands over a packet without GSO:
     * NEEDS_CSUM, csum_start/csum_offset at the TCP checksum, which holds the pseudo-header sum only.
     *
     * @return the length a TUN read returns for it: the virtio_net_hdr and the packet.
     */
    static int writeChecksumPartial(final UnsafeBuffer buffer, final int payload) {
        final int ipLength = writeTcp(buffer, VirtioNetHeader.LENGTH, 0x1000_0000, payload);
        final int checksum = VirtioNetHeader.LENGTH + Ipv4Header.MIN_LENGTH + TcpHeader.CHECKSUM_OFFSET;
        buffer.putShort(checksum, (short)partialChecksum(ipLength), ByteOrder.BIG_ENDIAN);
        new VirtioNetHeader().wrap(buffer, 0).clear()
            .flags(VirtioNetHeader.F_NEEDS_CSUM)
            .hdrLen(TCP_HEADERS_LENGTH)
            .csumStart(Ipv4Header.MIN_LENGTH)
            .csumOffset(TcpHeader.CHECKSUM_OFFSET);
        return VirtioNetHeader.LENGTH + ipLength;
    }

    /** What the kernel leaves in the TCP checksum field of a CHECKSUM_PARTIAL packet: the folded pseudo-header sum. */
    static int partialChecksum(final int ipLength) {
        return TransportChecksum.fold(pseudoHeaderSum(ipLength));
    }

    private static long pseudoHeaderSum(final int ipLength) {
        return TransportChecksum.pseudoHeaderSum(TCP_SOURCE, TCP_DESTINATION, Ipv4Header.PROTOCOL_TCP,
            ipLength - Ipv4Header.MIN_LENGTH);
    }

    private static void writeIpv4Header(final UnsafeBuffer buffer, final int offset, final int totalLength,
        final int protocol, final int source, final int destination) {
        buffer.putByte(offset + Ipv4Header.VERSION_IHL_OFFSET, (byte)0x45);
        buffer.putByte(offset + 1, (byte)0);
        buffer.putShort(offset + Ipv4Header.TOTAL_LENGTH_OFFSET, (short)totalLength, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + Ipv4Header.IDENTIFICATION_OFFSET, (short)0x1234, ByteOrder.BIG_ENDIAN);
        buffer.putShort(offset + Ipv4Header.FLAGS_FRAGMENT_OFFSET, (short)DONT_FRAGMENT, ByteOrder.BIG_ENDIAN);
        buffer.putByte(offset + Ipv4Header.TTL_OFFSET, (byte)TTL);
        buffer.putByte(offset + Ipv4Header.PROTOCOL_OFFSET, (byte)protocol);
        buffer.putInt(offset + Ipv4Header.SOURCE_OFFSET, source, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + Ipv4Header.DESTINATION_OFFSET, destination, ByteOrder.BIG_ENDIAN);
        Checksum.store(buffer, offset, Ipv4Header.MIN_LENGTH, offset + Ipv4Header.CHECKSUM_OFFSET);
    }

    /** Byte i is {@code (start + i) * 7}: TCP payload follows the sequence space, so a misplaced byte shows. */
    private static void writePayload(final UnsafeBuffer buffer, final int offset, final int length, final int start) {
        for (int i = 0; i < length; i++) {
            buffer.putByte(offset + i, (byte)((start + i) * 7));
        }
    }
}
