package io.weft.dataplane.packet;

import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds the ICMP destination-unreachable (type 3, code 0: net unreachable) that answers a packet with no route,
 * as flannel does: never in reply to ICMP, only for first fragments, at most {@code limitPerSecond} a second.
 * The reply carries the offending IP header plus its first 8 bytes of payload (RFC 792).
 */
public final class IcmpUnreachable {
    static final int ICMP_HEADER_LENGTH = 8;
    private static final int TYPE_DESTINATION_UNREACHABLE = 3;
    private static final int CODE_NET_UNREACHABLE = 0;
    private static final int TTL = 64;
    private static final long SECOND_NS = 1_000_000_000L;

    private final int sourceAddress;
    private final int limitPerSecond;
    private final Ipv4Header offending = new Ipv4Header();
    private long windowStartNs;
    private int sentInWindow;

    /**
     * @param sourceAddress the address the reply comes from. flannel uses flannel0's own address, but the kernel
     *     drops a packet arriving with a local source address as a martian, so the pod never sees that reply;
     *     weftd answers from the overlay Network's first address instead: routed via flannel0 (so reverse-path
     *     filtering passes), never local, never leased (SubnetMin skips the first subnet).
     */
    public IcmpUnreachable(final int sourceAddress, final int limitPerSecond) {
        this.sourceAddress = sourceAddress;
        this.limitPerSecond = limitPerSecond;
    }

    /** True when {@code packet} (already validated IPv4) may draw a reply now; counts against the rate limit. */
    public boolean shouldAnswer(final UnsafeBuffer packet, final long nowNs) {
        offending.wrap(packet);
        if (offending.protocol() == Ipv4Header.PROTOCOL_ICMP || !offending.isFirstFragment()) {
            return false;
        }
        if (nowNs - windowStartNs >= SECOND_NS) {
            windowStartNs = nowNs;
            sentInWindow = 0;
        }
        if (sentInWindow >= limitPerSecond) {
            return false;
        }
        sentInWindow++;
        return true;
    }

    /** Writes the reply to {@code packet} (of {@code packetLength} bytes) into {@code reply}; returns its length. */
    public int build(final UnsafeBuffer packet, final int packetLength, final UnsafeBuffer reply) {
        offending.wrap(packet);
        final int quotedLength = Math.min(packetLength, offending.headerLength() + 8);
        final int icmpOffset = Ipv4Header.MIN_LENGTH;
        final int totalLength = icmpOffset + ICMP_HEADER_LENGTH + quotedLength;

        reply.putByte(Ipv4Header.VERSION_IHL_OFFSET, (byte)Ipv4Header.VERSION_4_IHL_5);
        reply.putByte(Ipv4Header.TYPE_OF_SERVICE_OFFSET, (byte)0);
        reply.putShort(Ipv4Header.TOTAL_LENGTH_OFFSET, (short)totalLength, ByteOrder.BIG_ENDIAN);
        reply.putInt(Ipv4Header.IDENTIFICATION_OFFSET, 0);
        reply.putByte(Ipv4Header.TTL_OFFSET, (byte)TTL);
        reply.putByte(Ipv4Header.PROTOCOL_OFFSET, (byte)Ipv4Header.PROTOCOL_ICMP);
        reply.putInt(Ipv4Header.SOURCE_OFFSET, sourceAddress, ByteOrder.BIG_ENDIAN);
        reply.putInt(Ipv4Header.DESTINATION_OFFSET, offending.source(), ByteOrder.BIG_ENDIAN);
        Checksum.store(reply, 0, Ipv4Header.MIN_LENGTH, Ipv4Header.CHECKSUM_OFFSET);

        reply.putByte(icmpOffset, (byte)TYPE_DESTINATION_UNREACHABLE);
        reply.putByte(icmpOffset + 1, (byte)CODE_NET_UNREACHABLE);
        reply.putInt(icmpOffset + 4, 0);
        reply.putBytes(icmpOffset + ICMP_HEADER_LENGTH, packet, 0, quotedLength);
        Checksum.store(reply, icmpOffset, ICMP_HEADER_LENGTH + quotedLength, icmpOffset + 2);
        return totalLength;
    }
}
