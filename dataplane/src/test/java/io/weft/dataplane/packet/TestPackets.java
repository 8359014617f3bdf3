package io.weft.dataplane.packet;

import io.weft.routing.Ipv4Addresses;
import java.util.Random;

/**
 * Hand-made IPv4 packets for tests, built byte by byte with a checksum computed here (not by {@link Checksum}), so
 * the code under test is checked against an independent implementation of RFC 1071.
 */
public final class TestPackets {
    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_UDP = 17;

    private TestPackets() {
    }

    public static int ip(final String dotted) {
        return Ipv4Addresses.parse(dotted);
    }

    /** A valid IPv4 packet of {@code totalLength} bytes whose header is {@code headerLength} bytes (options 0x01). */
    public static byte[] ipv4(final int headerLength, final int totalLength, final int ttl, final int protocol,
        final int source, final int destination) {
        final byte[] packet = new byte[totalLength];
        packet[0] = (byte)(0x40 | (headerLength / 4));
        putShort(packet, 2, totalLength);
        putShort(packet, 4, 0x1234);
        packet[8] = (byte)ttl;
        packet[9] = (byte)protocol;
        putInt(packet, 12, source);
        putInt(packet, 16, destination);
        for (int i = 20; i < headerLength; i++) {
            packet[i] = 0x01; // NOP options
        }
        for (int i = headerLength; i < totalLength; i++) {
            packet[i] = (byte)(i * 7);
        }
        storeHeaderChecksum(packet);
        return packet;
    }

    /** A valid 20-byte-header UDP-in-IPv4 packet of {@code totalLength} bytes. */
    public static byte[] udp(final int totalLength, final int ttl, final int source, final int destination) {
        return ipv4(20, totalLength, ttl, PROTOCOL_UDP, source, destination);
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

    /** Zeroes and recomputes the header checksum of the IHL bytes of {@code packet}. */
    public static void storeHeaderChecksum(final byte[] packet) {
        putShort(packet, 10, 0);
        putShort(packet, 10, ~onesComplementSum(packet, 0, headerLength(packet)) & 0xFFFF);
    }

    public static int headerLength(final byte[] packet) {
        return (packet[0] & 0x0F) * 4;
    }

    /** RFC 1071, done the plain way: 16-bit big-endian words, an odd byte padded with zero, carries folded. */
    public static int onesComplementSum(final byte[] bytes, final int offset, final int length) {
        long sum = 0;
        for (int i = 0; i < length; i++) {
            final int value = bytes[offset + i] & 0xFF;
            sum += (i % 2 == 0) ? value << 8 : value;
        }
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }

    public static boolean checksumVerifies(final byte[] bytes, final int offset, final int length) {
        return onesComplementSum(bytes, offset, length) == 0xFFFF;
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
}
