package io.weft.testbed;

import java.nio.ByteBuffer;

/** Crafted inner IPv4 packets for injection tests: UDP with checksum 0 (allowed over IPv4) and a valid header. */
final class InnerPackets {
    private InnerPackets() {
    }

    /** An IPv4/UDP packet {@code source -> destination:port} with {@code payloadLength} bytes of payload. */
    static byte[] udp(String source, String destination, int port, int payloadLength) {
        int total = 20 + 8 + payloadLength;
        ByteBuffer packet = ByteBuffer.allocate(total);
        packet.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) 1).putShort((short) 0);
        packet.put((byte) 64).put((byte) 17).putShort((short) 0);
        packet.put(address(source)).put(address(destination));
        packet.putShort(20, (short) 40000).putShort(22, (short) port).putShort(24, (short) (8 + payloadLength));
        packet.putShort(26, (short) 0);
        for (int i = 28; i < total; i++) {
            packet.put(i, (byte) i);
        }
        packet.putShort(10, checksum(packet.array(), 20));
        return packet.array();
    }

    static byte[] withTotalLength(byte[] packet, int totalLength) {
        byte[] copy = packet.clone();
        ByteBuffer buffer = ByteBuffer.wrap(copy);
        buffer.putShort(2, (short) totalLength).putShort(10, (short) 0);
        buffer.putShort(10, checksum(copy, 20));
        return copy;
    }

    static byte[] ipv6Header() {
        byte[] packet = new byte[48];
        packet[0] = 0x60;
        packet[5] = 8;
        packet[6] = 17;
        packet[7] = 64;
        return packet;
    }

    private static byte[] address(String dotted) {
        String[] parts = dotted.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        return bytes;
    }

    private static short checksum(byte[] bytes, int length) {
        int sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (short) ~sum;
    }
}
