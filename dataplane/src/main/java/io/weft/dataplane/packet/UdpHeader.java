package io.weft.dataplane.packet;

/**
 * Where the fields of a UDP header (RFC 768) sit. The lanes never wrap one: GRO, TSO and the checksums read the two
 * fields they need, so this holds the layout once for all of them.
 * <pre>
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |   source port   |  destination    |
 * |                 |      port       |
 * +--------+--------+--------+--------+
 * |     length      |    checksum     |
 * +--------+--------+--------+--------+
 * </pre>
 */
public final class UdpHeader {
    public static final int LENGTH = 8;
    public static final int LENGTH_OFFSET = 4;
    /** TCP's is at {@link TcpHeader#CHECKSUM_OFFSET}. */
    public static final int CHECKSUM_OFFSET = 6;

    private UdpHeader() {
    }
}
