package io.weft.dataplane.packet;

import io.weft.tun.UdpSocket;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Turns what a TUN with {@code IFF_VNET_HDR} and TSO4/CSUM offloads hands over into packets fit for the wire: it
 * finishes a checksum the kernel left partial, or cuts a TCP super-packet into MSS-sized IPv4 packets with complete
 * checksums, whose headers it writes and whose payloads stay in the read, for one gathering UDP GSO send.
 * <p>
 * For a peer whose lease says it takes partial checksums (a weftd with TUN offloads, see LeaseCodec), a TCP or UDP
 * checksum is left partial instead, as the kernel's CHECKSUM_PARTIAL has it (the folded pseudo-header sum): the
 * receiver hands it to its kernel marked so, and the payload is never summed. What protects those bytes in flight is
 * the outer UDP checksum, which the receiving kernel verifies. Summing the payload was the largest part of the
 * sending node's own work per byte (docs/partial-checksums.md).
 * <p>
 * Input is {@code [virtio_net_hdr][IPv4 packet]} exactly as read ({@code length} counts both). The caller decrements
 * the TTL of the super-packet before splitting, so every segment inherits it. Nothing here throws on bad input or
 * reads outside {@code [offset, offset + length)}: refusals are negative return codes.
 */
public final class TsoSplitter {
    static final int OK = 0;
    /** completeChecksum: the checksum was left partial, as asked. */
    public static final int LEFT_PARTIAL = 1;
    /** An offset or length outside its buffer, or too short for the headers it must hold. */
    static final int ERROR_BAD_LENGTH = -1;
    /** gso_type NONE: nothing to split; {@link #completeChecksum} and send the packet as it is. */
    static final int ERROR_NOT_GSO = -2;
    /** A gso_type other than TCPV4 (with or without the ECN bit), or a GSO type given to completeChecksum. */
    static final int ERROR_GSO_TYPE = -3;
    /** Not IPv4, IHL below 5 or past the end, total length not the packet's, not TCP, or a fragment. */
    static final int ERROR_IP_HEADER = -4;
    /** TCP data offset below 5 or past the end. */
    static final int ERROR_TCP_HEADER = -5;
    /** csum_start/csum_offset not where the headers put them, or past the end; hdr_len past the end. */
    static final int ERROR_CHECKSUM_FIELDS = -6;
    static final int ERROR_GSO_SIZE = -7;
    static final int ERROR_TOO_MANY_SEGMENTS = -8;
    static final int ERROR_OUTPUT_TOO_SMALL = -9;

    /** The most header bytes one segment carries: 60 of IPv4 and 60 of TCP. */
    static final int MAX_HEADERS_LENGTH = 120;
    /** Room {@link #splitHeaders} needs for the headers of the most segments. */
    public static final int HEADERS_CAPACITY = UdpSocket.UDP_MAX_SEGMENTS * MAX_HEADERS_LENGTH;

    private final VirtioNetHeader virtio = new VirtioNetHeader();
    private final Ipv4Header ipv4 = new Ipv4Header();
    private final TcpHeader tcp = new TcpHeader();
    private int segmentLength;
    private int lastSegmentLength;
    private int headersLength;
    private int payloadStart;
    private int gsoSize;
    private int payloadLength;

    /** Length of every segment but the last of the last successful split: the UDP_SEGMENT size to send with. */
    public int segmentLength() {
        return segmentLength;
    }

    /** Length of the last segment of the last successful split, at most {@link #segmentLength()}. */
    int lastSegmentLength() {
        return lastSegmentLength;
    }

    /**
     * For a packet without GSO, finishes in place a checksum the kernel left partial (VIRTIO_NET_HDR_F_NEEDS_CSUM:
     * the field holds the pseudo-header sum), as skb_checksum_help does, and clears the flag. TCP and UDP alike.
     *
     * With {@code leavePartial} (the peer takes partial checksums), a TCP or UDP checksum in its usual place after the
     * IP header stays partial.
     *
     * @return {@link #OK} (also when there was nothing to do), {@link #LEFT_PARTIAL}, or {@link #ERROR_BAD_LENGTH},
     *     {@link #ERROR_GSO_TYPE}, {@link #ERROR_CHECKSUM_FIELDS}.
     */
    public int completeChecksum(
        final UnsafeBuffer buffer, final int offset, final int length, final boolean leavePartial) {
        if (!isInside(buffer, offset, length) || length < VirtioNetHeader.LENGTH) {
            return ERROR_BAD_LENGTH;
        }
        virtio.wrap(buffer, offset);
        if (virtio.gsoType() != VirtioNetHeader.GSO_NONE) {
            return ERROR_GSO_TYPE;
        }
        if ((virtio.flags() & VirtioNetHeader.F_NEEDS_CSUM) == 0) {
            return OK;
        }
        final int ip = offset + VirtioNetHeader.LENGTH;
        final int ipLength = length - VirtioNetHeader.LENGTH;
        final int start = virtio.csumStart();
        final int field = start + virtio.csumOffset();
        if (field + 2 > ipLength) {
            return ERROR_CHECKSUM_FIELDS;
        }
        if (leavePartial && isTransportChecksum(buffer, ip, start, virtio.csumOffset())) {
            return LEFT_PARTIAL;
        }
        final int checksum = ~TransportChecksum.fold(TransportChecksum.sum(buffer, ip + start, ipLength - start));
        // A UDP checksum of zero means "none" (RFC 768); 0xFFFF is the same one's-complement value (CSUM_MANGLED_0).
        buffer.putShort(ip + field, (short)((checksum & 0xFFFF) == 0 ? 0xFFFF : checksum), ByteOrder.BIG_ENDIAN);
        virtio.flags(virtio.flags() & ~VirtioNetHeader.F_NEEDS_CSUM);
        return OK;
    }

    /**
     * Cuts a TCPV4 super-packet into segments of gso_size payload bytes, as the kernel's own TSO would: each one the
     * original IP header (total length, identification + i, checksum fixed) and TCP header (seq + i x gso_size; FIN
     * and PSH on the last only, CWR on the first only) with a complete TCP checksum, or a partial one with
     * {@code partialChecksums} (the folded pseudo-header sum, as CHECKSUM_PARTIAL). Only the headers are written,
     * {@link #headersLength()} bytes each, back to back into {@code out[outOffset, outOffset + outLength)}: segment i
     * is those headers followed by {@link #payloadLength(int)} bytes of {@code in} at {@link #payloadOffset(int)}, so
     * a gathering send (one iovec each) moves the payload without copying it here. Every segment but the last is
     * {@link #segmentLength()} long on the wire.
     *
     * @return the number of segments, 1 to {@link UdpSocket#UDP_MAX_SEGMENTS} (as many as one UDP GSO send may
     *     carry), or a negative ERROR_* code.
     */
    public int splitHeaders(final UnsafeBuffer in, final int offset, final int length, final UnsafeBuffer out,
        final int outOffset, final int outLength, final boolean partialChecksums) {
        segmentLength = 0;
        lastSegmentLength = 0;
        headersLength = 0;
        if (!isInside(in, offset, length) || !isInside(out, outOffset, outLength) ||
            length < VirtioNetHeader.LENGTH + Ipv4Header.MIN_LENGTH + TcpHeader.MIN_LENGTH) {
            return ERROR_BAD_LENGTH;
        }
        virtio.wrap(in, offset);
        final int gsoType = virtio.gsoType() & ~VirtioNetHeader.GSO_ECN;
        if (gsoType == VirtioNetHeader.GSO_NONE) {
            return ERROR_NOT_GSO;
        }
        if (gsoType != VirtioNetHeader.GSO_TCPV4) {
            return ERROR_GSO_TYPE;
        }
        final int ip = offset + VirtioNetHeader.LENGTH;
        final int ipLength = length - VirtioNetHeader.LENGTH;
        final int ipHeaderLength = tcpIpv4HeaderLength(in, ip, ipLength);
        if (ipHeaderLength < 0) {
            return ERROR_IP_HEADER;
        }
        final int tcpHeaderLength = tcp.wrap(in, ip + ipHeaderLength).headerLength();
        final int bothLength = ipHeaderLength + tcpHeaderLength;
        if (tcpHeaderLength < TcpHeader.MIN_LENGTH || bothLength > ipLength) {
            return ERROR_TCP_HEADER;
        }
        // hdr_len is not checked against the headers: on a read it may be the skb's whole linear part.
        if (virtio.hdrLen() > ipLength || ((virtio.flags() & VirtioNetHeader.F_NEEDS_CSUM) != 0 &&
            (virtio.csumStart() != ipHeaderLength || virtio.csumOffset() != TcpHeader.CHECKSUM_OFFSET))) {
            return ERROR_CHECKSUM_FIELDS;
        }
        final int size = virtio.gsoSize();
        if (size == 0) {
            return ERROR_GSO_SIZE;
        }
        final int payload = ipLength - bothLength;
        final int segments = payload <= size ? 1 : (payload + size - 1) / size;
        if (segments > UdpSocket.UDP_MAX_SEGMENTS) {
            return ERROR_TOO_MANY_SEGMENTS;
        }
        if (segments * bothLength > outLength) {
            return ERROR_OUTPUT_TOO_SMALL;
        }
        headersLength = bothLength;
        payloadStart = ip + bothLength;
        gsoSize = size;
        payloadLength = payload;
        writeHeaders(in, ip, ipHeaderLength, segments, out, outOffset, partialChecksums);
        segmentLength = segments == 1 ? ipLength : bothLength + size;
        lastSegmentLength = bothLength + payloadLength(segments - 1);
        return segments;
    }

    /** Bytes of IP and TCP header each segment of the last successful split starts with. */
    public int headersLength() {
        return headersLength;
    }

    /** Where in the input segment {@code i}'s payload starts, after the last successful split. */
    public int payloadOffset(final int segment) {
        return payloadStart + segment * gsoSize;
    }

    /** The payload length of segment {@code i} of the last successful split. */
    public int payloadLength(final int segment) {
        return Math.min(gsoSize, payloadLength - segment * gsoSize);
    }

    private void writeHeaders(final UnsafeBuffer in, final int ip, final int ipHeaderLength, final int segments,
        final UnsafeBuffer out, final int outOffset, final boolean partialChecksums) {
        ipv4.wrap(in, ip);
        final int source = ipv4.source();
        final int destination = ipv4.destination();
        final int identification = ipv4.identification();
        final int sequence = tcp.wrap(in, ip + ipHeaderLength).sequenceNumber();
        final int flags = tcp.flags();
        int header = outOffset;
        for (int i = 0; i < segments; i++) {
            final int segmentPayload = payloadLength(i);
            final int packetLength = headersLength + segmentPayload;
            out.putBytes(header, in, ip, headersLength);

            out.putShort(header + Ipv4Header.TOTAL_LENGTH_OFFSET, (short)packetLength, ByteOrder.BIG_ENDIAN);
            // Linux's TSO gives the segments consecutive IDs unless told otherwise (SKB_GSO_TCP_FIXEDID).
            out.putShort(header + Ipv4Header.IDENTIFICATION_OFFSET, (short)(identification + i), ByteOrder.BIG_ENDIAN);
            Checksum.store(out, header, ipHeaderLength, header + Ipv4Header.CHECKSUM_OFFSET);

            int segmentFlags = flags;
            if (i != segments - 1) {
                segmentFlags &= ~(TcpHeader.FIN | TcpHeader.PSH);
            }
            if (i != 0) {
                segmentFlags &= ~TcpHeader.CWR; // tcp_gso_segment: the congestion window was reduced once
            }
            final int tcpOffset = header + ipHeaderLength;
            final int tcpHeaderLength = headersLength - ipHeaderLength;
            tcp.wrap(out, tcpOffset).sequenceNumber(sequence + i * gsoSize).flags(segmentFlags).checksum(0);
            final long pseudoHeaderSum = TransportChecksum.pseudoHeaderSum(source, destination, Ipv4Header.PROTOCOL_TCP,
                tcpHeaderLength + segmentPayload);
            tcp.checksum(partialChecksums ? TransportChecksum.fold(pseudoHeaderSum) :
                ~TransportChecksum.fold(pseudoHeaderSum + TransportChecksum.sum(out, tcpOffset, tcpHeaderLength) +
                TransportChecksum.sum(in, payloadOffset(i), segmentPayload)));
            header += headersLength;
        }
    }

    /** True when csum_start/csum_offset name the TCP or UDP checksum field right after the packet's IP header. */
    private boolean isTransportChecksum(final UnsafeBuffer buffer, final int ip, final int start,
        final int offsetInHeader) {
        final int protocol = ipv4.wrap(buffer, ip).protocol();
        return start == ipv4.headerLength() &&
            (protocol == Ipv4Header.PROTOCOL_TCP && offsetInHeader == TcpHeader.CHECKSUM_OFFSET ||
            protocol == Ipv4Header.PROTOCOL_UDP && offsetInHeader == UdpHeader.CHECKSUM_OFFSET);
    }

    /** The IHL in bytes of an unfragmented IPv4 packet of {@code ipLength} bytes carrying TCP, or -1. */
    private int tcpIpv4HeaderLength(final UnsafeBuffer in, final int ip, final int ipLength) {
        final int headerLength = ipv4.wrap(in, ip).headerLength();
        final boolean valid = ipv4.version() == 4 &&
            headerLength >= Ipv4Header.MIN_LENGTH && headerLength + TcpHeader.MIN_LENGTH <= ipLength &&
            ipv4.totalLength() == ipLength && ipv4.protocol() == Ipv4Header.PROTOCOL_TCP && !ipv4.isFragment();
        return valid ? headerLength : -1;
    }

    private static boolean isInside(final UnsafeBuffer buffer, final int offset, final int length) {
        return offset >= 0 && length >= 0 && offset <= buffer.capacity() - length;
    }
}
