package io.weft.dataplane.packet;

import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over a TCP header at an offset of a packet buffer (RFC 793, flags as in RFC 9293). Fields are read in
 * network order; sequence numbers are ints that wrap as TCP's do.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options                    |    Padding    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
final class TcpHeader {
    static final int MIN_LENGTH = 20;
    static final int MAX_LENGTH = 60;
    static final int SOURCE_PORT_OFFSET = 0;
    static final int DESTINATION_PORT_OFFSET = 2;
    static final int SEQUENCE_OFFSET = 4;
    static final int ACKNOWLEDGMENT_OFFSET = 8;
    static final int DATA_OFFSET_OFFSET = 12;
    static final int FLAGS_OFFSET = 13;
    static final int WINDOW_OFFSET = 14;
    static final int CHECKSUM_OFFSET = 16;
    static final int URGENT_POINTER_OFFSET = 18;
    static final int OPTIONS_OFFSET = 20;
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    static final int URG = 0x20;
    static final int ECE = 0x40;
    static final int CWR = 0x80;

    private UnsafeBuffer buffer;
    private int offset;

    TcpHeader wrap(final UnsafeBuffer buffer, final int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    int sourcePort() {
        return buffer.getShort(offset + SOURCE_PORT_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    int destinationPort() {
        return buffer.getShort(offset + DESTINATION_PORT_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    int sequenceNumber() {
        return buffer.getInt(offset + SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    TcpHeader sequenceNumber(final int sequenceNumber) {
        buffer.putInt(offset + SEQUENCE_OFFSET, sequenceNumber, ByteOrder.BIG_ENDIAN);
        return this;
    }

    int acknowledgmentNumber() {
        return buffer.getInt(offset + ACKNOWLEDGMENT_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /** Header length in bytes, options included (Data Offset x 4). */
    int headerLength() {
        return (buffer.getByte(offset + DATA_OFFSET_OFFSET) & 0xF0) >>> 2;
    }

    /** CWR down to FIN: the byte at offset 13. */
    int flags() {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    TcpHeader flags(final int flags) {
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
        return this;
    }

    int window() {
        return buffer.getShort(offset + WINDOW_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    int checksum() {
        return buffer.getShort(offset + CHECKSUM_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    TcpHeader checksum(final int checksum) {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, ByteOrder.BIG_ENDIAN);
        return this;
    }
}
