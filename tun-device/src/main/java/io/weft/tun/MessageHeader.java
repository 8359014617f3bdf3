package io.weft.tun;

/**
 * A struct msghdr with one iovec and room for the peer's sockaddr, prepared once and reused for every
 * sendmsg/recvmsg of one thread.
 */
final class MessageHeader
{
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
     */
    private static final int NAME_LENGTH_OFFSET = 8;
    private static final int IOV_OFFSET = 16;
    private static final int IOV_LENGTH_OFFSET = 24;
    private static final int FLAGS_OFFSET = 48;
    private static final int IOVEC_AT = 56;
    private static final int NAME_AT = 72;
    private static final int NAME_CAPACITY = 16;
    private static final int TOTAL_LENGTH = NAME_AT + NAME_CAPACITY;

    final NativeBuffer memory = new NativeBuffer(TOTAL_LENGTH);

    MessageHeader()
    {
        memory.buffer.putLong(0, memory.address + NAME_AT);
        memory.buffer.putLong(IOV_OFFSET, memory.address + IOVEC_AT);
        memory.buffer.putLong(IOV_LENGTH_OFFSET, 1L);
    }

    long address()
    {
        return memory.address;
    }

    /** Points the single iovec at {@code length} bytes of native memory and resets the name length and flags. */
    void prepare(final long data, final int length, final int nameLength)
    {
        memory.buffer.putLong(IOVEC_AT, data);
        memory.buffer.putLong(IOVEC_AT + 8, length);
        memory.buffer.putInt(NAME_LENGTH_OFFSET, nameLength);
        memory.buffer.putInt(FLAGS_OFFSET, 0);
    }

    int nameOffset()
    {
        return NAME_AT;
    }

    int nameCapacity()
    {
        return NAME_CAPACITY;
    }
}
