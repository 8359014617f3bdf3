package io.weft.dataplane.packet;

import io.weft.tun.UdpSocket;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Merges consecutive TCP segments of one flow, received from a peer, back into one super-packet for one TUN write
 * (virtio_net_hdr: GSO TCPV4, checksum left to finish), so the kernel takes up to 64 KB at once: the receive-side
 * twin of {@link TsoSplitter}, and a one-flow-at-a-time GRO after the kernel's tcp_gro_receive. When the kernel takes
 * UDP super-packets from the TUN (GSO_UDP_L4, Linux 6.2), consecutive datagrams of one UDP flow are merged the same
 * way, as udp_gro_receive_segment does: one TUN write and one pass through the kernel's forwarding path for a run
 * of datagrams, which are cut back into the same datagrams just before the pod's socket.
 * <p>
 * Every offered packet ends up, in order, in exactly one {@link TunWrite#write}: alone behind a zeroed
 * virtio_net_hdr, or merged. A run is merged only when it is safe: same flow, IHL 5, no fragment, same TOS, TTL and
 * DF (and without DF consecutive IP identifications), same TCP header length, options, ack and window, contiguous
 * sequence numbers, valid IP and TCP checksums, only ACK set
 * (PSH allowed on the segment that ends the run), every payload but the last as long as the first, 65535 bytes in
 * all. A UDP run: same flow, IHL 5, no fragment, same TOS, TTL and DF, consecutive IP identifications, valid IP and
 * (non-zero) UDP checksums, every payload but the last as long as the first, at most
 * {@link UdpSocket#UDP_MAX_SEGMENTS} datagrams and 65535 bytes.
 * A checksum left partial by a peer that sends them so (see {@link TsoSplitter}) counts as valid: it is written
 * to the TUN marked partial, merged or not, and the kernel takes it as CHECKSUM_PARTIAL, as it does the super-packets.
 * The caller calls {@link #flush()} at the end of each receive batch.
 */
public final class GroCoalescer {
    /** Receives a packet or super-packet to write to the TUN; {@code length} includes the virtio_net_hdr. */
    @FunctionalInterface
    public interface TunWrite {
        void write(UnsafeBuffer buffer, int offset, int length);
    }

    /** The capacity the output buffer needs: a virtio_net_hdr and the largest IPv4 packet. */
    public static final int OUTPUT_LENGTH = VirtioNetHeader.LENGTH + PacketBuffer.MAX_PACKET_LENGTH;
    /** The packet was held on its own (whatever was held before has been written). */
    static final int HELD = 0;
    /** The packet was appended to the super-packet being built. */
    static final int APPENDED = 1;
    /** The offset or length is outside the buffer, or the length is not that of an IPv4 packet: nothing done. */
    static final int ERROR_BAD_LENGTH = -1;

    private static final int IP = VirtioNetHeader.LENGTH;
    private static final int TRANSPORT = IP + Ipv4Header.MIN_LENGTH;
    private static final int NOT_MERGEABLE = -1;

    private final UnsafeBuffer output;
    private final TunWrite tunWrite;
    private final boolean udpRuns;
    private final VirtioNetHeader virtio = new VirtioNetHeader();
    /** The packet or super-packet held in the output, after its virtio_net_hdr. */
    private final Ipv4Header held = new Ipv4Header();
    private final TcpHeader tcp = new TcpHeader();
    private int heldLength;
    /** The protocol of the run being built: TCP or UDP. */
    private int protocol;
    private boolean open;
    private int segments;
    private int gsoSize;
    private int tcpHeaderLength;
    private int nextSequence;
    private int nextIdentification;

    /** TCP runs only. */
    public GroCoalescer(final UnsafeBuffer output, final TunWrite tunWrite) {
        this(output, tunWrite, false);
    }

    /**
     * @param output  where packets are assembled; at least {@link #OUTPUT_LENGTH} bytes, written from offset 0.
     * @param udpRuns the TUN takes GSO_UDP_L4 super-packets: merge UDP runs too.
     */
    public GroCoalescer(final UnsafeBuffer output, final TunWrite tunWrite, final boolean udpRuns) {
        if (output.capacity() < OUTPUT_LENGTH) {
            throw new IllegalArgumentException("GRO output buffer of " + output.capacity() + " bytes, need " +
                OUTPUT_LENGTH);
        }
        this.output = output;
        this.tunWrite = tunWrite;
        this.udpRuns = udpRuns;
        held.wrap(output, IP);
    }

    /**
     * Appends the IPv4 packet at {@code buffer[offset, offset + length)} to the super-packet being built when safe;
     * otherwise writes out what was held and holds this packet instead.
     *
     * @return {@link #APPENDED}, {@link #HELD} or {@link #ERROR_BAD_LENGTH}.
     */
    public int offer(final UnsafeBuffer buffer, final int offset, final int length) {
        if (offset < 0 || length <= 0 || length > PacketBuffer.MAX_PACKET_LENGTH
            || offset > buffer.capacity() - length) {
            return ERROR_BAD_LENGTH;
        }
        final int payloadLength = mergeablePayloadLength(buffer, offset, length);
        if (open && payloadLength > 0 && continuesRun(buffer, offset, payloadLength)) {
            output.putBytes(IP + heldLength, buffer, offset + length - payloadLength, payloadLength);
            heldLength += payloadLength;
            segments++;
            nextIdentification++;
            if (protocol == Ipv4Header.PROTOCOL_UDP) {
                open = payloadLength == gsoSize && segments < UdpSocket.UDP_MAX_SEGMENTS;
                return APPENDED;
            }
            nextSequence += payloadLength;
            final int flags = tcp.wrap(buffer, offset + Ipv4Header.MIN_LENGTH).flags();
            if ((flags & TcpHeader.PSH) != 0) {
                tcp.wrap(output, TRANSPORT).flags(tcp.flags() | TcpHeader.PSH);
            }
            open = (flags & TcpHeader.PSH) == 0 && payloadLength == gsoSize;
            return APPENDED;
        }
        flush();
        virtio.wrap(output, 0).clear();
        output.putBytes(IP, buffer, offset, length);
        heldLength = length;
        segments = 1;
        open = false;
        if (payloadLength > 0) {
            protocol = held.protocol();
            gsoSize = payloadLength;
            nextIdentification = held.identification() + 1;
            open = true;
            if (protocol == Ipv4Header.PROTOCOL_TCP) {
                tcp.wrap(output, TRANSPORT);
                open = (tcp.flags() & TcpHeader.PSH) == 0;
                tcpHeaderLength = tcp.headerLength();
                nextSequence = tcp.sequenceNumber() + payloadLength;
            }
        }
        return HELD;
    }

    /** Writes out what is held, if anything: one packet, or one super-packet with its GSO header. */
    public void flush() {
        if (heldLength == 0) {
            return;
        }
        if (segments > 1) {
            finishSuperPacket();
        } else {
            markPartialChecksum();
        }
        final int length = VirtioNetHeader.LENGTH + heldLength;
        heldLength = 0;
        segments = 0;
        open = false;
        tunWrite.write(output, 0, length);
    }

    /**
     * The TCP or UDP payload length of a packet that may be part of a super-packet (0 for a bare ACK or an empty
     * datagram, which never are), or {@link #NOT_MERGEABLE}. Here and in {@link #continuesRun}, which run for every
     * datagram, the header is read raw at {@link Ipv4Header}'s offsets: each field once, and the two packets' fields
     * compared as raw words, which costs measurably less per datagram than the flyweight's getters
     * (GroCoalesceBenchmark).
     */
    private int mergeablePayloadLength(final UnsafeBuffer buffer, final int offset, final int length) {
        if (length < Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH ||
            (buffer.getByte(offset + Ipv4Header.VERSION_IHL_OFFSET) & 0xFF) != Ipv4Header.VERSION_4_IHL_5 ||
            (buffer.getShort(offset + Ipv4Header.TOTAL_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF) != length ||
            (buffer.getShort(offset + Ipv4Header.FLAGS_FRAGMENT_OFFSET, ByteOrder.BIG_ENDIAN) &
            Ipv4Header.MORE_FRAGMENTS_AND_OFFSET) != 0 ||
            Checksum.foldedSum(buffer, offset, Ipv4Header.MIN_LENGTH) != 0xFFFF) {
            return NOT_MERGEABLE;
        }
        final int protocol = buffer.getByte(offset + Ipv4Header.PROTOCOL_OFFSET) & 0xFF;
        final int transport = offset + Ipv4Header.MIN_LENGTH;
        final int transportLength = length - Ipv4Header.MIN_LENGTH;
        final int headerLength;
        if (protocol == Ipv4Header.PROTOCOL_TCP && transportLength >= TcpHeader.MIN_LENGTH) {
            tcp.wrap(buffer, transport);
            headerLength = tcp.headerLength();
            // FIN, RST, SYN, URG, CWR and ECE each mean something per segment: such a segment travels alone.
            if (headerLength < TcpHeader.MIN_LENGTH || headerLength > transportLength ||
                (tcp.flags() & ~TcpHeader.PSH) != TcpHeader.ACK) {
                return NOT_MERGEABLE;
            }
        } else if (protocol == Ipv4Header.PROTOCOL_UDP && udpRuns &&
            (buffer.getShort(transport + UdpHeader.LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF) == transportLength &&
            buffer.getShort(transport + UdpHeader.CHECKSUM_OFFSET) != 0) {
            // A zero UDP checksum means none: merged, the datagrams would come out with one.
            headerLength = UdpHeader.LENGTH;
        } else {
            return NOT_MERGEABLE;
        }
        // Merging hides a corrupt packet from the kernel's own check (the super-packet's checksum is recomputed), so a
        // complete checksum must verify; a partial one was left so by the sender, the outer UDP checksum covering it.
        final int source = buffer.getInt(offset + Ipv4Header.SOURCE_OFFSET, ByteOrder.BIG_ENDIAN);
        final int destination = buffer.getInt(offset + Ipv4Header.DESTINATION_OFFSET, ByteOrder.BIG_ENDIAN);
        if (!TransportChecksum.isPartial(buffer, source, destination, protocol, transport, transportLength) &&
            TransportChecksum.fold(TransportChecksum.pseudoHeaderSum(source, destination, protocol, transportLength) +
            TransportChecksum.sum(buffer, transport, transportLength)) != 0xFFFF) {
            return NOT_MERGEABLE;
        }
        return transportLength - headerLength;
    }

    /** True when the mergeable packet at {@code offset} may follow the open super-packet. */
    private boolean continuesRun(final UnsafeBuffer buffer, final int offset, final int payloadLength) {
        final int transport = offset + Ipv4Header.MIN_LENGTH;
        final boolean sameIpFlow = payloadLength <= gsoSize &&
            heldLength + payloadLength <= PacketBuffer.MAX_PACKET_LENGTH &&
            buffer.getByte(offset + Ipv4Header.PROTOCOL_OFFSET) == output.getByte(IP + Ipv4Header.PROTOCOL_OFFSET) &&
            // TOS; flags and fragment offset (so DF); TTL
            buffer.getByte(offset + Ipv4Header.TYPE_OF_SERVICE_OFFSET) ==
            output.getByte(IP + Ipv4Header.TYPE_OF_SERVICE_OFFSET) &&
            buffer.getShort(offset + Ipv4Header.FLAGS_FRAGMENT_OFFSET) ==
            output.getShort(IP + Ipv4Header.FLAGS_FRAGMENT_OFFSET) &&
            buffer.getByte(offset + Ipv4Header.TTL_OFFSET) == output.getByte(IP + Ipv4Header.TTL_OFFSET) &&
            // source and destination addresses, then ports
            buffer.getLong(offset + Ipv4Header.SOURCE_OFFSET) == output.getLong(IP + Ipv4Header.SOURCE_OFFSET) &&
            buffer.getInt(transport) == output.getInt(TRANSPORT);
        if (!sameIpFlow) {
            return false;
        }
        // The kernel gives the packets it cuts consecutive identifications from the first one's. Without DF they
        // must have had them already (an identification may be what reassembles a fragment); with DF, as in the
        // kernel's GRO, TCP segments need not.
        final boolean consecutiveIdentification = identification(buffer, offset) == (nextIdentification & 0xFFFF);
        if (protocol == Ipv4Header.PROTOCOL_UDP) {
            return consecutiveIdentification;
        }
        return (consecutiveIdentification ||
            (buffer.getShort(offset + Ipv4Header.FLAGS_FRAGMENT_OFFSET, ByteOrder.BIG_ENDIAN) &
            Ipv4Header.DONT_FRAGMENT) != 0) &&
            buffer.getInt(transport + TcpHeader.SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN) == nextSequence &&
            buffer.getInt(transport + TcpHeader.ACKNOWLEDGMENT_OFFSET) ==
            output.getInt(TRANSPORT + TcpHeader.ACKNOWLEDGMENT_OFFSET) &&
            // data offset (so the header length) and the reserved bits; the window, as the kernel's GRO does (the
            // super-packet carries one: a newer one would be lost); then the options byte for byte
            buffer.getByte(transport + TcpHeader.DATA_OFFSET_OFFSET) ==
            output.getByte(TRANSPORT + TcpHeader.DATA_OFFSET_OFFSET) &&
            buffer.getShort(transport + TcpHeader.WINDOW_OFFSET) ==
            output.getShort(TRANSPORT + TcpHeader.WINDOW_OFFSET) &&
            sameOptions(buffer, transport);
    }

    private static int identification(final UnsafeBuffer buffer, final int ip) {
        return buffer.getShort(ip + Ipv4Header.IDENTIFICATION_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    private boolean sameOptions(final UnsafeBuffer buffer, final int tcpOffset) {
        // The data offset counts 32-bit words, so the options are a whole number of ints.
        for (int i = TcpHeader.OPTIONS_OFFSET; i < tcpHeaderLength; i += 4) {
            if (buffer.getInt(tcpOffset + i) != output.getInt(TRANSPORT + i)) {
                return false;
            }
        }
        return true;
    }

    /** For a single held packet: a TCP or UDP checksum left partial by the sender is marked so for the kernel. */
    private void markPartialChecksum() {
        final int ipHeaderLength = held.headerLength();
        final int protocol = held.protocol();
        final int transportLength = heldLength - ipHeaderLength;
        final int headerLength = protocol == Ipv4Header.PROTOCOL_TCP ? TcpHeader.MIN_LENGTH :
            protocol == Ipv4Header.PROTOCOL_UDP ? UdpHeader.LENGTH : Integer.MAX_VALUE;
        if (held.version() != 4 || ipHeaderLength < Ipv4Header.MIN_LENGTH || transportLength < headerLength ||
            held.totalLength() != heldLength || held.isFragment()) {
            return;
        }
        if (TransportChecksum.isPartial(output, held.source(), held.destination(), protocol, IP + ipHeaderLength,
            transportLength)) {
            virtio.wrap(output, 0).flags(VirtioNetHeader.F_NEEDS_CSUM).csumStart(ipHeaderLength)
                .csumOffset(protocol == Ipv4Header.PROTOCOL_TCP ? TcpHeader.CHECKSUM_OFFSET :
                UdpHeader.CHECKSUM_OFFSET);
        }
    }

    private void finishSuperPacket() {
        held.totalLength(heldLength).storeChecksum();
        final int transportLength = heldLength - Ipv4Header.MIN_LENGTH;
        // As the kernel's own CHECKSUM_PARTIAL: the pseudo-header sum, folded, not complemented.
        final int pseudoHeaderSum = TransportChecksum.fold(TransportChecksum.pseudoHeaderSum(held.source(),
            held.destination(), protocol, transportLength));
        virtio.wrap(output, 0).flags(VirtioNetHeader.F_NEEDS_CSUM).gsoSize(gsoSize).csumStart(Ipv4Header.MIN_LENGTH);
        if (protocol == Ipv4Header.PROTOCOL_UDP) {
            output.putShort(TRANSPORT + UdpHeader.LENGTH_OFFSET, (short)transportLength, ByteOrder.BIG_ENDIAN);
            output.putShort(TRANSPORT + UdpHeader.CHECKSUM_OFFSET, (short)pseudoHeaderSum,
                ByteOrder.BIG_ENDIAN);
            virtio.gsoType(VirtioNetHeader.GSO_UDP_L4)
                .hdrLen(Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH)
                .csumOffset(UdpHeader.CHECKSUM_OFFSET);
            return;
        }
        tcp.wrap(output, TRANSPORT).checksum(pseudoHeaderSum);
        virtio.gsoType(VirtioNetHeader.GSO_TCPV4)
            .hdrLen(Ipv4Header.MIN_LENGTH + tcpHeaderLength)
            .csumOffset(TcpHeader.CHECKSUM_OFFSET);
    }
}
