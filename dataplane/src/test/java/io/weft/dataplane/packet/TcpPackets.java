package io.weft.dataplane.packet;

import static io.weft.dataplane.packet.TestPackets.getShort;
import static io.weft.dataplane.packet.TestPackets.ip;
import static io.weft.dataplane.packet.TestPackets.onesComplementSum;
import static io.weft.dataplane.packet.TestPackets.putInt;
import static io.weft.dataplane.packet.TestPackets.putShort;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Hand-made TCP/IPv4 segments and TUN super-packets for the offload tests. Like {@link TestPackets}, every checksum
 * here is computed with its plain RFC 1071 sum, never by the code under test.
 */
final class TcpPackets {
    static final int SOURCE = ip("10.244.1.2");
    static final int DESTINATION = ip("10.244.2.3");
    static final int PROTOCOL_TCP = 6;
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    static final int URG = 0x20;
    static final int ECE = 0x40;
    static final int CWR = 0x80;
    static final int DF = 0x4000;
    static final int MF = 0x2000;
    /** NOP, NOP, Timestamps (kind 8, length 10, TSval, TSecr): what Linux puts on every segment. */
    static final byte[] TIMESTAMPS = {1, 1, 8, 10, 0, 1, 0x23, 0x45, 0, 0, 0x67, (byte)0x89};

    private TcpPackets() {
    }

    static Segment segment() {
        return new Segment();
    }

    /** Payload bytes that differ from one offset to the next, so a misplaced byte shows. */
    static byte[] pattern(final int seed, final int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            final int x = seed + i;
            bytes[i] = (byte)(x ^ (x >>> 8) ^ (x >>> 13) * 31);
        }
        return bytes;
    }

    /** A description of one TCP/IPv4 segment; {@link #build()} makes its bytes, valid unless told otherwise. */
    static final class Segment {
        int source = SOURCE;
        int destination = DESTINATION;
        int sourcePort = 40_000;
        int destinationPort = 5201;
        int tos;
        int ttl = 63;
        int identification = 0x1234;
        int flagsFragment = DF;
        int protocol = PROTOCOL_TCP;
        int ipOptionsLength;
        int sequence = 0xFFFF_0000; // wraps inside a 64 KB super-packet
        int acknowledgment = 777_777;
        int flags = ACK;
        int window = 502;
        byte[] options = TIMESTAMPS;
        byte[] payload = new byte[0];

        Segment copy() {
            final Segment copy = new Segment();
            copy.source = source;
            copy.destination = destination;
            copy.sourcePort = sourcePort;
            copy.destinationPort = destinationPort;
            copy.tos = tos;
            copy.ttl = ttl;
            copy.identification = identification;
            copy.flagsFragment = flagsFragment;
            copy.protocol = protocol;
            copy.ipOptionsLength = ipOptionsLength;
            copy.sequence = sequence;
            copy.acknowledgment = acknowledgment;
            copy.flags = flags;
            copy.window = window;
            copy.options = options;
            copy.payload = payload;
            return copy;
        }

        Segment sourcePort(final int value) {
            sourcePort = value;
            return this;
        }

        Segment sequence(final int value) {
            sequence = value;
            return this;
        }

        Segment flags(final int value) {
            flags = value;
            return this;
        }

        Segment options(final byte[] value) {
            options = value;
            return this;
        }

        Segment payload(final byte[] value) {
            payload = value;
            return this;
        }

        int ipHeaderLength() {
            return 20 + ipOptionsLength;
        }

        int tcpHeaderLength() {
            return 20 + options.length;
        }

        /** The IPv4 packet with valid IP and TCP checksums. */
        byte[] build() {
            final int ipHeaderLength = ipHeaderLength();
            final int tcpHeaderLength = tcpHeaderLength();
            final byte[] packet = new byte[ipHeaderLength + tcpHeaderLength + payload.length];
            packet[0] = (byte)(0x40 | ipHeaderLength / 4);
            packet[1] = (byte)tos;
            putShort(packet, 2, packet.length);
            putShort(packet, 4, identification);
            putShort(packet, 6, flagsFragment);
            packet[8] = (byte)ttl;
            packet[9] = (byte)protocol;
            putInt(packet, 12, source);
            putInt(packet, 16, destination);
            Arrays.fill(packet, 20, ipHeaderLength, (byte)1); // NOP options
            TestPackets.storeHeaderChecksum(packet);

            final int tcp = ipHeaderLength;
            putShort(packet, tcp, sourcePort);
            putShort(packet, tcp + 2, destinationPort);
            putInt(packet, tcp + 4, sequence);
            putInt(packet, tcp + 8, acknowledgment);
            packet[tcp + 12] = (byte)((tcpHeaderLength / 4) << 4);
            packet[tcp + 13] = (byte)flags;
            putShort(packet, tcp + 14, window);
            System.arraycopy(options, 0, packet, tcp + 20, options.length);
            System.arraycopy(payload, 0, packet, tcp + tcpHeaderLength, payload.length);
            storeTransportChecksum(packet, 0, packet.length, 16);
            return packet;
        }

        /**
         * {@code [virtio_net_hdr][IPv4 packet]} as a TUN with TSO4 hands it over: GSO TCPV4 of {@code gsoSize},
         * NEEDS_CSUM with csum_start/csum_offset at the TCP checksum, which holds only the pseudo-header sum.
         */
        byte[] buildSuperPacket(final int gsoSize) {
            final byte[] packet = build();
            final int tcp = ipHeaderLength();
            putShort(packet, tcp + 16, pseudoHeaderSum(packet, 0));
            return withVirtioHeader(packet, 1, 1, tcp + tcpHeaderLength(), gsoSize, tcp, 16);
        }
    }

    /** {@code packet} behind a virtio_net_hdr with these fields, in the host's byte order as the TUN uses. */
    static byte[] withVirtioHeader(final byte[] packet, final int flags, final int gsoType, final int hdrLen,
        final int gsoSize, final int csumStart, final int csumOffset) {
        final ByteBuffer bytes = ByteBuffer.allocate(10 + packet.length).order(ByteOrder.nativeOrder());
        bytes.put((byte)flags).put((byte)gsoType).putShort((short)hdrLen).putShort((short)gsoSize)
            .putShort((short)csumStart).putShort((short)csumOffset).put(packet);
        return bytes.array();
    }

    /** Writes the 16-bit virtio_net_hdr field at {@code offset} (host order). */
    static void putVirtioField(final byte[] bytes, final int offset, final int value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putShort(offset, (short)value);
    }

    /** Reads the 16-bit virtio_net_hdr field at {@code offset} (host order). */
    static int virtioField(final byte[] bytes, final int offset) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getShort(offset) & 0xFFFF;
    }

    /** Sum of the pseudo-header of the IPv4 packet at {@code ip}: addresses, protocol, transport length. */
    static int pseudoHeaderSum(final byte[] bytes, final int ip) {
        final int headerLength = (bytes[ip] & 0x0F) * 4;
        final byte[] pseudo = new byte[12];
        System.arraycopy(bytes, ip + 12, pseudo, 0, 8);
        pseudo[9] = bytes[ip + 9];
        putShort(pseudo, 10, getShort(bytes, ip + 2) - headerLength);
        return onesComplementSum(pseudo, 0, 12);
    }

    /** True when the TCP or UDP checksum of the IPv4 packet at {@code ip} ({@code length} bytes) verifies. */
    static boolean transportChecksumVerifies(final byte[] bytes, final int ip, final int length) {
        final int headerLength = (bytes[ip] & 0x0F) * 4;
        final int transportLength = length - headerLength;
        long sum = pseudoHeaderSum(bytes, ip) + onesComplementSum(bytes, ip + headerLength, transportLength);
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum == 0xFFFF;
    }

    /** Stores the TCP/UDP checksum of the IPv4 packet at {@code ip}; the field is at {@code fieldOffset} of L4. */
    static void storeTransportChecksum(final byte[] bytes, final int ip, final int length, final int fieldOffset) {
        final int transport = ip + (bytes[ip] & 0x0F) * 4;
        putShort(bytes, transport + fieldOffset, 0);
        long sum = pseudoHeaderSum(bytes, ip) + onesComplementSum(bytes, transport, ip + length - transport);
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        putShort(bytes, transport + fieldOffset, ~(int)sum & 0xFFFF);
    }
}
