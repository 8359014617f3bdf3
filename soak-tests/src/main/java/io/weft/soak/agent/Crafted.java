package io.weft.soak.agent;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * Datagrams no weftd may deliver, each kind with the drop reason weftd counts it under ({@code weft_drops_total
 * {direction="udp_to_tun",reason=...}}), or null where the reason depends on random bytes. The hub kinds come from an
 * address that holds no lease; the node kinds come from a node that does, with an inner packet it may not send.
 */
public enum Crafted {
    EMPTY("empty", false),
    TRUNCATED("too_short", false),
    NOT_IPV4("not_ipv4", false),
    BAD_HEADER_LENGTH("bad_header_length", false),
    BAD_TOTAL_LENGTH("bad_total_length", false),
    BAD_CHECKSUM("bad_checksum", false),
    /** A well-formed packet from an address without a lease. */
    UNKNOWN_SENDER("unknown_sender", false),
    /** The largest UDP payload, a well-formed IPv4 packet, from an address without a lease. */
    OVERSIZE("unknown_sender", false),
    RANDOM(null, false),
    /** From a node, an inner source in another node's subnet. */
    SPOOFED("spoofed_source", true),
    /** From a node, its own source, to a subnet the receiving node does not hold. */
    NOT_FOR_THIS_NODE("not_for_this_node", true),
    /** From a node, its own source, to the receiving node's subnet, TTL 1: nothing left to forward with. */
    TTL_ONE("ttl_expired", true);

    static final int LARGEST_UDP_PAYLOAD = 65_507;
    private static final int IPV4_HEADER = 20;

    private final String dropReason;
    private final boolean fromNode;

    Crafted(String dropReason, boolean fromNode) {
        this.dropReason = dropReason;
        this.fromNode = fromNode;
    }

    /** The reason weftd must count it under; null for {@link #RANDOM} (any refusal). */
    public String dropReason() {
        return dropReason;
    }

    /** Sent from a lease-holding node rather than from the hub. */
    public boolean fromNode() {
        return fromNode;
    }

    /**
     * The datagram: {@code innerSource} and {@code innerDestination} are IPv4 addresses as ints (for the kinds
     * that carry a well-formed packet), {@code random} draws the random kinds' bytes.
     */
    public byte[] datagram(int innerSource, int innerDestination, Random random) {
        switch (this) {
            case EMPTY:
                return new byte[0];
            case TRUNCATED:
                return randomBytes(1 + random.nextInt(IPV4_HEADER - 1), random, 0x45);
            case NOT_IPV4:
                return randomBytes(IPV4_HEADER + random.nextInt(100), random, 0x65);
            case BAD_HEADER_LENGTH: {
                byte[] packet = packet(innerSource, innerDestination, 64, 64);
                packet[0] = 0x41; // IHL 1: a header of 4 bytes
                return packet;
            }
            case BAD_TOTAL_LENGTH: {
                byte[] packet = packet(innerSource, innerDestination, 64, 64);
                ByteBuffer.wrap(packet).putShort(2, (short) 100);
                fixChecksum(packet);
                return packet;
            }
            case BAD_CHECKSUM: {
                byte[] packet = packet(innerSource, innerDestination, 64, 64);
                packet[10] ^= 0x5a;
                return packet;
            }
            case OVERSIZE:
                return packet(innerSource, innerDestination, LARGEST_UDP_PAYLOAD, 64);
            case RANDOM:
                return randomBytes(1 + random.nextInt(1400), random, random.nextInt(256));
            case TTL_ONE:
                return packet(innerSource, innerDestination, 64, 1);
            default:
                return packet(innerSource, innerDestination, 64, 64);
        }
    }

    /** A well-formed IPv4 + UDP packet to the discard port, with a valid header checksum. */
    static byte[] packet(int source, int destination, int length, int ttl) {
        ByteBuffer packet = ByteBuffer.allocate(length);
        packet.put((byte) 0x45).put((byte) 0).putShort((short) length).putShort((short) 0x5741)
            .putShort((short) 0).put((byte) ttl).put((byte) 17).putShort((short) 0).putInt(source).putInt(destination);
        packet.putShort((short) 9999).putShort((short) 9).putShort((short) (length - IPV4_HEADER))
            .putShort((short) 0);
        byte[] bytes = packet.array();
        fixChecksum(bytes);
        return bytes;
    }

    private static void fixChecksum(byte[] packet) {
        ByteBuffer header = ByteBuffer.wrap(packet);
        header.putShort(10, (short) 0);
        int sum = 0;
        for (int i = 0; i < IPV4_HEADER; i += 2) {
            sum += header.getShort(i) & 0xffff;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        header.putShort(10, (short) ~sum);
    }

    private static byte[] randomBytes(int length, Random random, int firstByte) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        bytes[0] = (byte) firstByte;
        return bytes;
    }
}
