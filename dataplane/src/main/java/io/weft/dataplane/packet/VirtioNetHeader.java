package io.weft.dataplane.packet;

import io.weft.tun.TunDevice;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Flyweight over the struct virtio_net_hdr that precedes every packet read from or written to a TUN opened with
 * {@code IFF_VNET_HDR}: how the kernel hands over a TCP super-packet (GSO) and a checksum left to finish (CSUM).
 * <pre>
 * struct virtio_net_hdr {     // include/uapi/linux/virtio_net.h; 10 bytes, the TUN's default TUNSETVNETHDRSZ
 *     __u8     flags;         // VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_F_DATA_VALID
 *     __u8     gso_type;      // VIRTIO_NET_HDR_GSO_NONE, _TCPV4, _UDP, _TCPV6, ORed with _ECN
 *     __virtio16 hdr_len;     // bytes of headers; on a read, the kernel may report its whole linear part
 *     __virtio16 gso_size;    // payload bytes per segment (the MSS)
 *     __virtio16 csum_start;  // where the checksummed bytes start, counted from the IP header
 *     __virtio16 csum_offset; // where the checksum goes, counted from csum_start
 * };
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Flags     |   GSO Type    |   Header Length (host order)  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     GSO Size (host order)     |  Checksum Start (host order)  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Checksum Offset (host order)  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The 16-bit fields are in the host's order (little-endian on x86_64): a TUN uses legacy virtio byte order unless
 * told otherwise with TUNSETVNETLE/TUNSETVNETBE, which weft never does.
 */
public final class VirtioNetHeader {
    public static final int LENGTH = TunDevice.VIRTIO_NET_HDR_LENGTH;
    static final int FLAGS_OFFSET = 0;
    static final int GSO_TYPE_OFFSET = 1;
    static final int HDR_LEN_OFFSET = 2;
    static final int GSO_SIZE_OFFSET = 4;
    static final int CSUM_START_OFFSET = 6;
    static final int CSUM_OFFSET_OFFSET = 8;
    static final int F_NEEDS_CSUM = TunDevice.VIRTIO_NET_HDR_F_NEEDS_CSUM;
    static final int F_DATA_VALID = 2;
    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    static final int GSO_UDP = 3;
    static final int GSO_TCPV6 = 4;
    /** UDP segmentation (USO): Linux 6.2 and later. */
    static final int GSO_UDP_L4 = TunDevice.VIRTIO_NET_HDR_GSO_UDP_L4;
    static final int GSO_ECN = 0x80;
    static final ByteOrder BYTE_ORDER = ByteOrder.nativeOrder();

    private UnsafeBuffer buffer;
    private int offset;

    public VirtioNetHeader wrap(final UnsafeBuffer buffer, final int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** Zeroes all ten bytes: no offload, the packet is complete. */
    VirtioNetHeader clear() {
        buffer.putLong(offset, 0L);
        buffer.putShort(offset + CSUM_OFFSET_OFFSET, (short)0);
        return this;
    }

    int flags() {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    VirtioNetHeader flags(final int flags) {
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
        return this;
    }

    /** The GSO type including the {@link #GSO_ECN} bit. */
    public int gsoType() {
        return buffer.getByte(offset + GSO_TYPE_OFFSET) & 0xFF;
    }

    public VirtioNetHeader gsoType(final int gsoType) {
        buffer.putByte(offset + GSO_TYPE_OFFSET, (byte)gsoType);
        return this;
    }

    int hdrLen() {
        return buffer.getShort(offset + HDR_LEN_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    VirtioNetHeader hdrLen(final int hdrLen) {
        buffer.putShort(offset + HDR_LEN_OFFSET, (short)hdrLen, BYTE_ORDER);
        return this;
    }

    int gsoSize() {
        return buffer.getShort(offset + GSO_SIZE_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    VirtioNetHeader gsoSize(final int gsoSize) {
        buffer.putShort(offset + GSO_SIZE_OFFSET, (short)gsoSize, BYTE_ORDER);
        return this;
    }

    int csumStart() {
        return buffer.getShort(offset + CSUM_START_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    VirtioNetHeader csumStart(final int csumStart) {
        buffer.putShort(offset + CSUM_START_OFFSET, (short)csumStart, BYTE_ORDER);
        return this;
    }

    int csumOffset() {
        return buffer.getShort(offset + CSUM_OFFSET_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    VirtioNetHeader csumOffset(final int csumOffset) {
        buffer.putShort(offset + CSUM_OFFSET_OFFSET, (short)csumOffset, BYTE_ORDER);
        return this;
    }
}
