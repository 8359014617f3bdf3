package io.weft.tun;

/**
 * The array of struct mmsghdr that sendmmsg and recvmmsg take, one per slot of caller-owned memory, each with its
 * own iovec (pointing at the slot) and sockaddr_in. Shared by {@link SendBatch} and {@link ReceiveBatch}.
 */
final class MessageVector
{
    /*
     * struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; }: 56 + 4, padded to 64 bytes; the msghdr
     * offsets are MessageHeader's. Per slot, outside the vector: one iovec (16 bytes) and one sockaddr_in (16).
     */
    static final int MMSGHDR_LENGTH = 64;
    static final int MSG_LEN_OFFSET = 56;
    static final int IOVEC_LENGTH = 16;

    final int capacity;
    final long dataAddress;
    final int slotLength;
    final NativeBuffer vector;
    final NativeBuffer iovecs;
    final NativeBuffer names;

    MessageVector(final int capacity, final long dataAddress, final int slotLength)
    {
        this.capacity = capacity;
        this.dataAddress = dataAddress;
        this.slotLength = slotLength;
        vector = new NativeBuffer(capacity * MMSGHDR_LENGTH);
        iovecs = new NativeBuffer(capacity * IOVEC_LENGTH);
        names = new NativeBuffer(capacity * SocketConstants.SOCKADDR_IN_LENGTH);
        for (int i = 0; i < capacity; i++)
        {
            final int header = header(i);
            vector.buffer.putLong(header, names.address + (long)i * SocketConstants.SOCKADDR_IN_LENGTH);
            vector.buffer.putInt(header + MessageHeader.NAME_LENGTH_OFFSET, SocketConstants.SOCKADDR_IN_LENGTH);
            vector.buffer.putLong(header + MessageHeader.IOV_OFFSET, iovecs.address + (long)i * IOVEC_LENGTH);
            vector.buffer.putLong(header + MessageHeader.IOV_LENGTH_OFFSET, 1L);
            setIovec(i, 0, slotLength);
        }
    }

    /** Offset of slot {@code slot}'s mmsghdr in {@link #vector}. */
    static int header(final int slot)
    {
        return slot * MMSGHDR_LENGTH;
    }

    long slotAddress(final int slot)
    {
        return dataAddress + (long)slot * slotLength;
    }

    /** Points slot {@code slot}'s iovec at {@code length} bytes from {@code offset} of its slot. */
    void setIovec(final int slot, final int offset, final int length)
    {
        iovecs.buffer.putLong(slot * IOVEC_LENGTH, slotAddress(slot) + offset);
        iovecs.buffer.putLong(slot * IOVEC_LENGTH + 8, length);
    }

    int iovecLength(final int slot)
    {
        return (int)iovecs.buffer.getLong(slot * IOVEC_LENGTH + 8);
    }
}
