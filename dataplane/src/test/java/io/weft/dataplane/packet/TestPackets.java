package io.weft.dataplane.packet;

import io.weft.routing.Ipv4Addresses;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * Hand-made packets for tests and benchmarks: a {@link Builder} of IPv4 packets carrying TCP, UDP, ICMP or bare
 * bytes, as they cross the overlay or as a TUN with offloads hands them over, and the byte reads and checks the tests
 * make. Every checksum is computed here the plain RFC 1071 way, never by {@link Checksum} or
 * {@link TransportChecksum}, so the code under test is checked against an independent implementation. dataplane's
 * test-jar publishes this class alone, for the benchmarks and the testbed.
 */
public final class TestPackets {
    /** The flow a packet belongs to unless told otherwise: 10.244.1.2:40000 to 10.244.2.3:5201. */
    public static final int SOURCE = ip("10.244.1.2");
    public static final int DESTINATION = ip("10.244.2.3");
    /** The MSS of that flow, timestamps on, over the 1472-byte overlay MTU of a 1500-byte underlay: 1472 - 52. */
    public static final int MSS = 1420;
    /** NOP, NOP, Timestamps (kind 8, length 10, TSval, TSecr): what Linux puts on every segment. */
    static final byte[] TIMESTAMPS = {1, 1, 8, 10, 0, 1, 0x23, 0x45, 0, 0, 0x67, (byte)0x89};
    private static final int ICMP_ECHO_REQUEST = 8;
    private static final int ICMP_CHECKSUM_OFFSET = 2;

    private TestPackets() {
    }

    /** A TCP segment of the flow: only ACK set, the timestamps option, no payload. */
    public static Builder tcp() {
        return new Builder(Ipv4Header.PROTOCOL_TCP, true);
    }

    /** A UDP datagram of the flow, without payload. */
    public static Builder udp() {
        return new Builder(Ipv4Header.PROTOCOL_UDP, true);
    }

    /** An ICMP echo request between the flow's addresses, without payload. */
    public static Builder icmp() {
        return new Builder(Ipv4Header.PROTOCOL_ICMP, true);
    }

    /** An IPv4 header naming {@code protocol} but no transport header: the payload follows the IP header. */
    public static Builder ipv4(final int protocol) {
        return new Builder(protocol, false);
    }

    /**
     * A description of one IPv4 packet; {@link #build()} makes its bytes, valid unless told otherwise (TTL 64, DF,
     * identification 0x1234). Setters return the builder; a builder is reused or {@link #copy()}-ed freely.
     */
    public static final class Builder implements Cloneable {
        private final boolean transportHeader;
        private final int protocol;
        private int source = SOURCE;
        private int destination = DESTINATION;
        private int typeOfService;
        private int ttl = 64;
        private int identification = 0x1234;
        private int flagsAndFragmentOffset = Ipv4Header.DONT_FRAGMENT;
        private int ipHeaderLength = Ipv4Header.MIN_LENGTH;
        private int sourcePort = 40_000;
        private int destinationPort = 5201;
        private int sequence = 0xFFFF_0000; // wraps inside a 64 KB super-packet
        private int acknowledgment = 777_777;
        private int flags = TcpHeader.ACK;
        private int window = 502;
        private byte[] options = TIMESTAMPS;
        private byte[] payload;
        private int payloadLength;
        private int totalLength = -1;
        private boolean partialChecksum;

        private Builder(final int protocol, final boolean transportHeader) {
            this.protocol = protocol;
            this.transportHeader = transportHeader;
        }

        /** A builder of the same packet, to change apart from this one. */
        public Builder copy() {
            try {
                return (Builder)clone();
            } catch (final CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        public Builder source(final int address) {
            source = address;
            return this;
        }

        public Builder destination(final int address) {
            destination = address;
            return this;
        }

        public Builder typeOfService(final int value) {
            typeOfService = value;
            return this;
        }

        public Builder ttl(final int value) {
            ttl = value;
            return this;
        }

        public int identification() {
            return identification;
        }

        public Builder identification(final int value) {
            identification = value;
            return this;
        }

        /** DF (the default), MF and the fragment offset: the 16 bits at offset 6. */
        public Builder flagsAndFragmentOffset(final int value) {
            flagsAndFragmentOffset = value;
            return this;
        }

        /** The IP header's length in bytes, 20 to 60: past 20, NOP options. */
        public Builder ipHeaderLength(final int value) {
            ipHeaderLength = value;
            return this;
        }

        /** TCP and UDP. */
        public Builder sourcePort(final int value) {
            sourcePort = value;
            return this;
        }

        /** TCP and UDP. */
        public Builder destinationPort(final int value) {
            destinationPort = value;
            return this;
        }

        public int sequence() {
            return sequence;
        }

        public Builder sequence(final int value) {
            sequence = value;
            return this;
        }

        public int acknowledgment() {
            return acknowledgment;
        }

        public Builder acknowledgment(final int value) {
            acknowledgment = value;
            return this;
        }

        /** The TCP flags, CWR down to FIN. */
        public Builder flags(final int value) {
            flags = value;
            return this;
        }

        public Builder window(final int value) {
            window = value;
            return this;
        }

        /** The TCP options, a multiple of 4 bytes. */
        public Builder options(final byte[] value) {
            options = value;
            return this;
        }

        public Builder payload(final byte[] value) {
            payload = value;
            totalLength = -1;
            return this;
        }

        /**
         * {@code length} bytes of {@link TestPackets#pattern}, from the sequence number for TCP (a flow's bytes follow
         * its sequence space) and from the identification otherwise.
         */
        public Builder payloadLength(final int length) {
            payload = null;
            payloadLength = length;
            totalLength = -1;
            return this;
        }

        /** As {@link #payloadLength} with as many bytes as make the packet {@code length} bytes long. */
        public Builder totalLength(final int length) {
            payload = null;
            totalLength = length;
            return this;
        }

        /** The TCP or UDP checksum holds the folded pseudo-header sum, as the kernel's CHECKSUM_PARTIAL. */
        public Builder partialChecksum() {
            partialChecksum = true;
            return this;
        }

        /** Bytes of IP and transport header. */
        public int headersLength() {
            return ipHeaderLength + transportHeaderLength();
        }

        public byte[] build() {
            return build(partialChecksum);
        }

        /**
         * {@code [virtio_net_hdr][IPv4 packet]} as a TUN with TSO4 (or USO for UDP) hands it over: GSO TCPV4 (UDP_L4)
         * of {@code gsoSize}, NEEDS_CSUM with csum_start/csum_offset at the transport checksum, which holds only the
         * pseudo-header sum.
         */
        public byte[] buildSuperPacket(final int gsoSize) {
            return withVirtioHeader(build(true), VirtioNetHeader.F_NEEDS_CSUM, protocol == Ipv4Header.PROTOCOL_TCP ?
                VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_UDP_L4, headersLength(), gsoSize, ipHeaderLength,
                transportChecksumOffset());
        }

        /** {@code [virtio_net_hdr][IPv4 packet]} as a TUN with CSUM hands over a packet without GSO: NEEDS_CSUM. */
        public byte[] buildChecksumPartial() {
            return withVirtioHeader(build(true), VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE,
                headersLength(), 0, ipHeaderLength, transportChecksumOffset());
        }

        private byte[] build(final boolean partial) {
            final byte[] data = payload();
            final int transport = ipHeaderLength;
            final byte[] packet = new byte[headersLength() + data.length];
            packet[Ipv4Header.VERSION_IHL_OFFSET] = (byte)(0x40 | ipHeaderLength / 4);
            packet[Ipv4Header.TYPE_OF_SERVICE_OFFSET] = (byte)typeOfService;
            putShort(packet, Ipv4Header.TOTAL_LENGTH_OFFSET, packet.length);
            putShort(packet, Ipv4Header.IDENTIFICATION_OFFSET, identification);
            putShort(packet, Ipv4Header.FLAGS_FRAGMENT_OFFSET, flagsAndFragmentOffset);
            packet[Ipv4Header.TTL_OFFSET] = (byte)ttl;
            packet[Ipv4Header.PROTOCOL_OFFSET] = (byte)protocol;
            putInt(packet, Ipv4Header.SOURCE_OFFSET, source);
            putInt(packet, Ipv4Header.DESTINATION_OFFSET, destination);
            Arrays.fill(packet, Ipv4Header.MIN_LENGTH, ipHeaderLength, (byte)1); // NOP options
            storeHeaderChecksum(packet);
            System.arraycopy(data, 0, packet, headersLength(), data.length);
            if (!transportHeader) {
                return packet;
            }
            if (protocol == Ipv4Header.PROTOCOL_ICMP) {
                packet[transport] = ICMP_ECHO_REQUEST;
                putShort(packet, transport + ICMP_CHECKSUM_OFFSET,
                    ~onesComplementSum(packet, transport, packet.length - transport));
                return packet;
            }
            // UDP's ports sit where TCP's do.
            putShort(packet, transport + TcpHeader.SOURCE_PORT_OFFSET, sourcePort);
            putShort(packet, transport + TcpHeader.DESTINATION_PORT_OFFSET, destinationPort);
            if (protocol == Ipv4Header.PROTOCOL_TCP) {
                putInt(packet, transport + TcpHeader.SEQUENCE_OFFSET, sequence);
                putInt(packet, transport + TcpHeader.ACKNOWLEDGMENT_OFFSET, acknowledgment);
                packet[transport + TcpHeader.DATA_OFFSET_OFFSET] = (byte)(transportHeaderLength() / 4 << 4);
                packet[transport + TcpHeader.FLAGS_OFFSET] = (byte)flags;
                putShort(packet, transport + TcpHeader.WINDOW_OFFSET, window);
                System.arraycopy(options, 0, packet, transport + TcpHeader.OPTIONS_OFFSET, options.length);
            } else {
                putShort(packet, transport + UdpHeader.LENGTH_OFFSET, packet.length - transport);
            }
            final int field = transport + transportChecksumOffset();
            if (partial) {
                putShort(packet, field, pseudoHeaderSum(packet, 0));
            } else {
                storeTransportChecksum(packet, 0, packet.length, transportChecksumOffset());
                // A UDP checksum of zero means none: the same one's-complement value goes as 0xFFFF (RFC 768).
                if (getShort(packet, field) == 0 && protocol == Ipv4Header.PROTOCOL_UDP) {
                    putShort(packet, field, 0xFFFF);
                }
            }
            return packet;
        }

        private byte[] payload() {
            if (payload != null) {
                return payload;
            }
            final int length = totalLength >= 0 ? totalLength - headersLength() : payloadLength;
            if (length < 0) {
                throw new IllegalArgumentException("total length " + totalLength + " < headers " + headersLength());
            }
            return pattern(protocol == Ipv4Header.PROTOCOL_TCP ? sequence : identification, length);
        }

        private int transportHeaderLength() {
            if (!transportHeader) {
                return 0;
            }
            return protocol == Ipv4Header.PROTOCOL_TCP ? TcpHeader.MIN_LENGTH + options.length :
                protocol == Ipv4Header.PROTOCOL_UDP ? UdpHeader.LENGTH : IcmpUnreachable.ICMP_HEADER_LENGTH;
        }

        private int transportChecksumOffset() {
            return protocol == Ipv4Header.PROTOCOL_TCP ? TcpHeader.CHECKSUM_OFFSET :
                UdpHeader.CHECKSUM_OFFSET;
        }
    }

    public static int ip(final String dotted) {
        return Ipv4Addresses.parse(dotted);
    }

    /** Bytes that differ from one offset to the next, so a misplaced byte shows. */
    public static byte[] pattern(final int seed, final int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            final int x = seed + i;
            bytes[i] = (byte)(x ^ (x >>> 8) ^ (x >>> 13) * 31);
        }
        return bytes;
    }

    /** A header with random fields (IHL 5..15, TTL {@code minTtl}..255) and a valid checksum. */
    public static byte[] randomHeader(final Random random, final int minTtl) {
        final int headerLength = 4 * (5 + random.nextInt(11));
        final byte[] header = new byte[headerLength];
        random.nextBytes(header);
        header[0] = (byte)(0x40 | (headerLength / 4));
        header[8] = (byte)(minTtl + random.nextInt(256 - minTtl));
        storeHeaderChecksum(header);
        return header;
    }

    /** An IPv6 packet fe80::1 to fe80::2, UDP with 8 bytes: what a link carries of its own beside IPv4. */
    public static byte[] ipv6() {
        final byte[] packet = new byte[48];
        packet[0] = 0x60;
        packet[5] = 8; // payload length
        packet[6] = (byte)Ipv4Header.PROTOCOL_UDP; // next header
        packet[7] = 64; // hop limit
        packet[8] = (byte)0xFE;
        packet[9] = (byte)0x80;
        packet[23] = 1;
        packet[24] = (byte)0xFE;
        packet[25] = (byte)0x80;
        packet[39] = 2;
        return packet;
    }

    /** A copy of {@code packet} whose header says {@code totalLength}, with a valid header checksum. */
    public static byte[] withTotalLength(final byte[] packet, final int totalLength) {
        final byte[] copy = packet.clone();
        putShort(copy, Ipv4Header.TOTAL_LENGTH_OFFSET, totalLength);
        storeHeaderChecksum(copy);
        return copy;
    }

    /** {@code packet} behind a virtio_net_hdr with these fields, in the host's byte order as the TUN uses. */
    public static byte[] withVirtioHeader(final byte[] packet, final int flags, final int gsoType, final int hdrLen,
        final int gsoSize, final int csumStart, final int csumOffset) {
        final ByteBuffer bytes = ByteBuffer.allocate(VirtioNetHeader.LENGTH + packet.length)
            .order(ByteOrder.nativeOrder());
        bytes.put((byte)flags).put((byte)gsoType).putShort((short)hdrLen).putShort((short)gsoSize)
            .putShort((short)csumStart).putShort((short)csumOffset).put(packet);
        return bytes.array();
    }

    /** Writes the 16-bit virtio_net_hdr field at {@code offset} (host order). */
    public static void putVirtioField(final byte[] bytes, final int offset, final int value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putShort(offset, (short)value);
    }

    /** Reads the 16-bit virtio_net_hdr field at {@code offset} (host order). */
    public static int virtioField(final byte[] bytes, final int offset) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getShort(offset) & 0xFFFF;
    }

    /** Zeroes and recomputes the header checksum of the IHL bytes of {@code packet}. */
    public static void storeHeaderChecksum(final byte[] packet) {
        putShort(packet, Ipv4Header.CHECKSUM_OFFSET, 0);
        putShort(packet, Ipv4Header.CHECKSUM_OFFSET, ~onesComplementSum(packet, 0, headerLength(packet)));
    }

    public static int headerLength(final byte[] packet) {
        return headerLength(packet, 0);
    }

    /** RFC 1071, done the plain way: 16-bit big-endian words, an odd byte padded with zero, carries folded. */
    public static int onesComplementSum(final byte[] bytes, final int offset, final int length) {
        long sum = 0;
        for (int i = 0; i < length; i++) {
            final int value = bytes[offset + i] & 0xFF;
            sum += (i % 2 == 0) ? value << 8 : value;
        }
        return fold(sum);
    }

    public static boolean checksumVerifies(final byte[] bytes, final int offset, final int length) {
        return onesComplementSum(bytes, offset, length) == 0xFFFF;
    }

    /** Sum of the pseudo-header of the IPv4 packet at {@code ip}: addresses, protocol, transport length. */
    public static int pseudoHeaderSum(final byte[] bytes, final int ip) {
        final byte[] pseudo = new byte[12];
        System.arraycopy(bytes, ip + Ipv4Header.SOURCE_OFFSET, pseudo, 0, 8);
        pseudo[9] = bytes[ip + Ipv4Header.PROTOCOL_OFFSET];
        putShort(pseudo, 10, getShort(bytes, ip + Ipv4Header.TOTAL_LENGTH_OFFSET) - headerLength(bytes, ip));
        return onesComplementSum(pseudo, 0, 12);
    }

    /** True when the TCP or UDP checksum of the IPv4 packet at {@code ip} ({@code length} bytes) verifies. */
    public static boolean transportChecksumVerifies(final byte[] bytes, final int ip, final int length) {
        final int headerLength = headerLength(bytes, ip);
        return fold(pseudoHeaderSum(bytes, ip) + onesComplementSum(bytes, ip + headerLength, length - headerLength)) ==
            0xFFFF;
    }

    /** Stores the TCP/UDP checksum of the IPv4 packet at {@code ip}; the field is at {@code fieldOffset} of L4. */
    public static void storeTransportChecksum(final byte[] bytes, final int ip, final int length,
        final int fieldOffset) {
        final int transport = ip + headerLength(bytes, ip);
        putShort(bytes, transport + fieldOffset, 0);
        putShort(bytes, transport + fieldOffset,
            ~fold(pseudoHeaderSum(bytes, ip) + onesComplementSum(bytes, transport, ip + length - transport)));
    }

    public static int getShort(final byte[] bytes, final int offset) {
        return ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
    }

    public static int getInt(final byte[] bytes, final int offset) {
        return (getShort(bytes, offset) << 16) | getShort(bytes, offset + 2);
    }

    public static void putShort(final byte[] bytes, final int offset, final int value) {
        bytes[offset] = (byte)(value >>> 8);
        bytes[offset + 1] = (byte)value;
    }

    public static void putInt(final byte[] bytes, final int offset, final int value) {
        putShort(bytes, offset, value >>> 16);
        putShort(bytes, offset + 2, value);
    }

    private static int headerLength(final byte[] bytes, final int ip) {
        return (bytes[ip] & 0x0F) * 4;
    }

    private static int fold(final long sum) {
        long folded = sum;
        while (folded > 0xFFFF) {
            folded = (folded & 0xFFFF) + (folded >>> 16);
        }
        return (int)folded;
    }
}
