package io.weft.tun;

/**
 * A vector of receive slots for recvmmsg: one system call fills up to {@link #capacity()} slots, each with its
 * datagram (or, with UDP GRO, a run of same-size datagrams of one sender), the sender's address and the GRO segment
 * size. Allocated once per receiving thread; the slots point into memory the caller owns.
 */
public final class ReceiveBatch
{
    /*
     * struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; }: 56 + 4, padded to 64 bytes.
     * struct msghdr offsets as in MessageHeader: name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40,
     * flags 48. Per slot, outside the vector: one iovec (16 bytes), one sockaddr_in (16), one cmsg area (24).
     */
    private static final int MMSGHDR_LENGTH = 64;
    private static final int MSG_LEN_OFFSET = 56;
    private static final int NAME_LENGTH_OFFSET = MessageHeader.NAME_LENGTH_OFFSET;
    private static final int IOV_OFFSET = MessageHeader.IOV_OFFSET;
    private static final int IOV_LENGTH_OFFSET = MessageHeader.IOV_LENGTH_OFFSET;
    private static final int CONTROL_OFFSET = MessageHeader.CONTROL_OFFSET;
    private static final int CONTROL_LENGTH_OFFSET = MessageHeader.CONTROL_LENGTH_OFFSET;
    private static final int FLAGS_OFFSET = MessageHeader.FLAGS_OFFSET;
    private static final int IOVEC_LENGTH = 16;
    private static final int NAME_LENGTH = 16;
    private static final int CONTROL_LENGTH = 24;

    private final int capacity;
    private final long dataAddress;
    private final int slotLength;
    private final NativeBuffer vector;
    private final NativeBuffer iovecs;
    private final NativeBuffer names;
    private final NativeBuffer controls;
    private int received;

    /** {@code capacity} slots of {@code slotLength} bytes each, back to back from {@code dataAddress}. */
    public ReceiveBatch(final int capacity, final long dataAddress, final int slotLength)
    {
        this.capacity = capacity;
        this.dataAddress = dataAddress;
        this.slotLength = slotLength;
        vector = new NativeBuffer(capacity * MMSGHDR_LENGTH);
        iovecs = new NativeBuffer(capacity * IOVEC_LENGTH);
        names = new NativeBuffer(capacity * NAME_LENGTH);
        controls = new NativeBuffer(capacity * CONTROL_LENGTH);
        for (int i = 0; i < capacity; i++)
        {
            final int header = i * MMSGHDR_LENGTH;
            vector.buffer.putLong(header, names.address + (long)i * NAME_LENGTH);
            vector.buffer.putLong(header + IOV_OFFSET, iovecs.address + (long)i * IOVEC_LENGTH);
            vector.buffer.putLong(header + IOV_LENGTH_OFFSET, 1L);
            iovecs.buffer.putLong(i * IOVEC_LENGTH, slotAddress(i));
            reset(i);
        }
        received = capacity;
    }

    public int capacity()
    {
        return capacity;
    }

    /** Slots filled by the last receive. */
    public int received()
    {
        return received;
    }

    public long slotAddress(final int slot)
    {
        return dataAddress + (long)slot * slotLength;
    }

    public int slotLength()
    {
        return slotLength;
    }

    /** Bytes in the slot (with GRO, several datagrams back to back). */
    public int length(final int slot)
    {
        return vector.buffer.getInt(slot * MMSGHDR_LENGTH + MSG_LEN_OFFSET);
    }

    public int senderAddress(final int slot)
    {
        return Integer.reverseBytes(names.buffer.getInt(slot * NAME_LENGTH + 4));
    }

    public boolean wasTruncated(final int slot)
    {
        return (vector.buffer.getInt(slot * MMSGHDR_LENGTH + FLAGS_OFFSET) & UdpSocket.MSG_TRUNC) != 0;
    }

    /** With UDP GRO, the size of each datagram in the slot; 0 when the slot holds a single datagram. */
    public int segmentLength(final int slot)
    {
        final int control = slot * CONTROL_LENGTH;
        final long controlLength = vector.buffer.getLong(slot * MMSGHDR_LENGTH + CONTROL_LENGTH_OFFSET);
        if (controlLength < MessageHeader.CMSG_DATA_OFFSET + 4 ||
            controls.buffer.getInt(control + MessageHeader.CMSG_LEVEL_OFFSET) != UdpSocket.SOL_UDP ||
            controls.buffer.getInt(control + MessageHeader.CMSG_TYPE_OFFSET) != UdpSocket.UDP_GRO)
        {
            return 0;
        }
        return controls.buffer.getInt(control + MessageHeader.CMSG_DATA_OFFSET);
    }

    /** recvmmsg into every slot: the number of slots filled, 0 when none was queued, or -errno. */
    int receive(final int fd)
    {
        // The kernel overwrites the lengths of the slots it filled; give them back their capacities.
        for (int i = 0; i < received; i++)
        {
            reset(i);
        }
        final int result = Native.LIBC.recvmmsg(fd, vector.address, capacity, 0, 0L);
        if (result < 0)
        {
            received = 0;
            return TunDevice.negativeErrnoOrZero();
        }
        received = result;
        return result;
    }

    private void reset(final int slot)
    {
        final int header = slot * MMSGHDR_LENGTH;
        iovecs.buffer.putLong(slot * IOVEC_LENGTH + 8, slotLength);
        vector.buffer.putInt(header + NAME_LENGTH_OFFSET, NAME_LENGTH);
        vector.buffer.putLong(header + CONTROL_OFFSET, controls.address + (long)slot * CONTROL_LENGTH);
        vector.buffer.putLong(header + CONTROL_LENGTH_OFFSET, CONTROL_LENGTH);
        vector.buffer.putInt(header + FLAGS_OFFSET, 0);
        vector.buffer.putInt(header + MSG_LEN_OFFSET, 0);
    }
}
