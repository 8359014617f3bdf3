package io.weft.tun;

import java.nio.ByteBuffer;

/**
 * A struct msghdr with one iovec and room for the peer's sockaddr, prepared once and reused for every
 * sendmsg/recvmsg of one thread.
 */
final class MessageHeader {
    /*
     * struct msghdr (x86_64, 56 bytes):
     *   void *msg_name;          0
     *   socklen_t msg_namelen;   8   (then 4 bytes padding)
     *   struct iovec *msg_iov;   16
     *   size_t msg_iovlen;       24
     *   void *msg_control;       32
     *   size_t msg_controllen;   40
     *   int msg_flags;           48  (then 4 bytes padding)
     * struct iovec { void *iov_base; size_t iov_len; }: 16 bytes, placed at 56
     * the sockaddr (up to 16 bytes) at 72
     * the control area (ancillary data, cmsg) at 88
     */
    static final int NAME_LENGTH_OFFSET = 8;
    static final int IOV_OFFSET = 16;
    static final int IOV_LENGTH_OFFSET = 24;
    static final int FLAGS_OFFSET = 48;
    private static final int IOVEC_AT = 56;
    private static final int NAME_AT = 72;
    private static final int NAME_CAPACITY = 16;
    static final int CONTROL_OFFSET = 32;
    static final int CONTROL_LENGTH_OFFSET = 40;
    private static final int CONTROL_AT = NAME_AT + NAME_CAPACITY;
    /* Room for one cmsg with an int or u16 value: CMSG_SPACE(4) = 16 + 8. */
    static final int CONTROL_CAPACITY = 24;
    private static final int TOTAL_LENGTH = CONTROL_AT + CONTROL_CAPACITY;
    /* struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } then the data at 16. */
    static final int CMSG_LEVEL_OFFSET = 8;
    static final int CMSG_TYPE_OFFSET = 12;
    static final int CMSG_DATA_OFFSET = 16;

    final NativeBuffer memory = new NativeBuffer(TOTAL_LENGTH);

    MessageHeader() {
        memory.buffer.putLong(0, memory.address + NAME_AT);
        memory.buffer.putLong(IOV_OFFSET, memory.address + IOVEC_AT);
        memory.buffer.putLong(IOV_LENGTH_OFFSET, 1L);
    }

    long address() {
        return memory.address;
    }

    /**
     * Points the single iovec at {@code length} bytes of native memory, resets the name length and flags, and
     * attaches no ancillary data.
     */
    void prepare(final long data, final int length, final int nameLength) {
        memory.buffer.putLong(IOVEC_AT, data);
        memory.buffer.putLong(IOVEC_AT + 8, length);
        memory.buffer.putInt(NAME_LENGTH_OFFSET, nameLength);
        memory.buffer.putInt(FLAGS_OFFSET, 0);
        memory.buffer.putLong(CONTROL_OFFSET, 0L);
        memory.buffer.putLong(CONTROL_LENGTH_OFFSET, 0L);
    }

    /** Attaches one cmsg carrying a u16, e.g. UDP_SEGMENT for a GSO send. Call after {@link #prepare}. */
    void attachShortControl(final int level, final int type, final int value) {
        writeShortControl(memory.buffer, CONTROL_AT, level, type, value);
        memory.buffer.putLong(CONTROL_OFFSET, memory.address + CONTROL_AT);
        memory.buffer.putLong(CONTROL_LENGTH_OFFSET, CONTROL_CAPACITY);
    }

    /** Writes one cmsg carrying a u16 at {@code offset}: {@link #CONTROL_CAPACITY} bytes. */
    static void writeShortControl(final ByteBuffer buffer, final int offset, final int level, final int type,
        final int value) {
        buffer.putLong(offset, CMSG_DATA_OFFSET + 2);
        buffer.putInt(offset + CMSG_LEVEL_OFFSET, level);
        buffer.putInt(offset + CMSG_TYPE_OFFSET, type);
        buffer.putShort(offset + CMSG_DATA_OFFSET, (short)value);
    }

    /** Offers the control area to recvmsg, so the kernel can return one cmsg (e.g. UDP_GRO's segment size). */
    void offerControl() {
        memory.buffer.putLong(CONTROL_AT, 0L);
        memory.buffer.putLong(CONTROL_OFFSET, memory.address + CONTROL_AT);
        memory.buffer.putLong(CONTROL_LENGTH_OFFSET, CONTROL_CAPACITY);
    }

    /** The int value of the cmsg the kernel returned with {@code level}/{@code type}, or 0 when there is none. */
    int receivedIntControl(final int level, final int type) {
        final long controlLength = memory.buffer.getLong(CONTROL_LENGTH_OFFSET);
        if (controlLength < CMSG_DATA_OFFSET + 4 ||
            memory.buffer.getInt(CONTROL_AT + CMSG_LEVEL_OFFSET) != level ||
            memory.buffer.getInt(CONTROL_AT + CMSG_TYPE_OFFSET) != type) {
            return 0;
        }
        return memory.buffer.getInt(CONTROL_AT + CMSG_DATA_OFFSET);
    }

    int flags() {
        return memory.buffer.getInt(FLAGS_OFFSET);
    }

    int nameOffset() {
        return NAME_AT;
    }

    int nameCapacity() {
        return NAME_CAPACITY;
    }
}
