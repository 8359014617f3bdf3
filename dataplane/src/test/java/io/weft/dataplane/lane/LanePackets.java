package io.weft.dataplane.lane;

import static io.weft.dataplane.packet.TestPackets.getInt;
import static io.weft.dataplane.packet.TestPackets.getShort;
import static io.weft.dataplane.packet.TestPackets.onesComplementSum;
import static io.weft.dataplane.packet.TestPackets.putInt;
import static io.weft.dataplane.packet.TestPackets.putShort;

import io.weft.dataplane.packet.TestPackets;
import io.weft.dataplane.packet.VirtioNetHeader;
import io.weft.tun.TunDevice;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** TCP super-packets as a TUN with TSO hands them over, built on {@link TestPackets}, for the lanes' tests. */
final class LanePackets {
    static final int IP_AND_TCP_HEADERS = 40;
    private static final int PROTOCOL_TCP = 6;
    private static final int TCP = 20;
    private static final int ACK_PSH = 0x18;
    private static final int FIRST_SEQUENCE = 1_000_000;

    private LanePackets() {
    }

    /**
     * [virtio_net_hdr: TCPV4, gso_size {@code mss}, checksum to finish][IPv4][TCP, ACK|PSH][payload] from
     * {@code source} to {@code destination}, the payload a pattern of {@code payloadLength} bytes.
     */
    static byte[] tcpSuperPacket(final int source, final int destination, final int ttl, final int mss,
        final int payloadLength) {
        final byte[] packet = TestPackets.ipv4(PROTOCOL_TCP).totalLength(IP_AND_TCP_HEADERS + payloadLength).ttl(ttl)
            .source(source).destination(destination).build();
        putShort(packet, TCP, 40_000);
        putShort(packet, TCP + 2, 5201);
        putInt(packet, TCP + 4, FIRST_SEQUENCE);
        putInt(packet, TCP + 8, 77);
        packet[TCP + 12] = 0x50;
        packet[TCP + 13] = ACK_PSH;
        putShort(packet, TCP + 14, 512);
        final byte[] read = new byte[VirtioNetHeader.LENGTH + packet.length];
        ByteBuffer.wrap(read).order(ByteOrder.nativeOrder())
            .put(0, (byte)TunDevice.VIRTIO_NET_HDR_F_NEEDS_CSUM).put(1, (byte)VirtioNetHeader.GSO_TCPV4)
            .putShort(2, (short)IP_AND_TCP_HEADERS).putShort(4, (short)mss).putShort(6, (short)TCP)
            .putShort(8, (short)16);
        System.arraycopy(packet, 0, read, VirtioNetHeader.LENGTH, packet.length);
        return read;
    }

    /** A UDP packet of {@code totalLength} bytes, the shape most lane tests send, from the one test builder. */
    static byte[] udp(final int totalLength, final int ttl, final int source, final int destination) {
        return TestPackets.udp().totalLength(totalLength).ttl(ttl).source(source).destination(destination).build();
    }

    /** {@code packet} as a node forwards it: the TTL one less, the header checksum to match. */
    static byte[] forwarded(final byte[] packet) {
        final byte[] forwarded = packet.clone();
        forwarded[8]--;
        TestPackets.storeHeaderChecksum(forwarded);
        return forwarded;
    }

    /** The payload of a TCP packet with a 20-byte IP and TCP header each. */
    static byte[] tcpPayload(final byte[] packet) {
        final byte[] payload = new byte[packet.length - IP_AND_TCP_HEADERS];
        System.arraycopy(packet, IP_AND_TCP_HEADERS, payload, 0, payload.length);
        return payload;
    }

    static int tcpSequenceOffset(final byte[] packet) {
        return getInt(packet, TCP + 4) - FIRST_SEQUENCE;
    }

    /** True when the TCP checksum of a packet with a 20-byte IP header verifies, pseudo-header included. */
    static boolean tcpChecksumVerifies(final byte[] packet) {
        final int tcpLength = packet.length - TCP;
        long sum = getShort(packet, 12) + getShort(packet, 14) + getShort(packet, 16) + getShort(packet, 18) +
            PROTOCOL_TCP + tcpLength + onesComplementSum(packet, TCP, tcpLength);
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum == 0xFFFF;
    }
}
