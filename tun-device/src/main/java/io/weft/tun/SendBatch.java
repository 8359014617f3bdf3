package io.weft.tun;

/**
 * Datagrams queued for one sendmmsg: each in its own slot of memory the caller owns, each with its own destination.
 * The caller fills the next slot in place (e.g. a TUN read straight into {@link #nextSlotAddress()}), then
 * {@link #add}s it; {@link UdpSocket#send(SendBatch)} sends them all with one system call.
 */
public final class SendBatch
{
    /* struct mmsghdr as in ReceiveBatch; per slot one iovec (16 bytes) and one sockaddr_in (16). */
    private static final int MMSGHDR_LENGTH = 64;
    private static final int IOVEC_LENGTH = 16;

    private final int capacity;
    private final long dataAddress;
    private final int slotLength;
    private final NativeBuffer vector;
    private final NativeBuffer iovecs;
    private final NativeBuffer names;
    private int size;

    /** {@code capacity} slots of {@code slotLength} bytes each, back to back from {@code dataAddress}. */
    public SendBatch(final int capacity, final long dataAddress, final int slotLength)
    {
        this.capacity = capacity;
        this.dataAddress = dataAddress;
        this.slotLength = slotLength;
        vector = new NativeBuffer(capacity * MMSGHDR_LENGTH);
        iovecs = new NativeBuffer(capacity * IOVEC_LENGTH);
        names = new NativeBuffer(capacity * SocketConstants.SOCKADDR_IN_LENGTH);
        for (int i = 0; i < capacity; i++)
        {
            final int header = i * MMSGHDR_LENGTH;
            vector.buffer.putLong(header, names.address + (long)i * SocketConstants.SOCKADDR_IN_LENGTH);
            vector.buffer.putInt(header + MessageHeader.NAME_LENGTH_OFFSET, SocketConstants.SOCKADDR_IN_LENGTH);
            vector.buffer.putLong(header + MessageHeader.IOV_OFFSET, iovecs.address + (long)i * IOVEC_LENGTH);
            vector.buffer.putLong(header + MessageHeader.IOV_LENGTH_OFFSET, 1L);
        }
    }

    public int size()
    {
        return size;
    }

    public boolean isFull()
    {
        return size == capacity;
    }

    public int slotLength()
    {
        return slotLength;
    }

    public long slotAddress(final int slot)
    {
        return dataAddress + (long)slot * slotLength;
    }

    /** Where the next datagram goes; valid while not {@link #isFull()}. */
    public long nextSlotAddress()
    {
        return slotAddress(size);
    }

    /** Queues {@code length} bytes from {@code offset} of the next slot for {@code ipv4Address:port}. */
    public void add(final int offset, final int length, final int ipv4Address, final int port)
    {
        iovecs.buffer.putLong(size * IOVEC_LENGTH, slotAddress(size) + offset);
        iovecs.buffer.putLong(size * IOVEC_LENGTH + 8, length);
        names.putSockaddrIn(size * SocketConstants.SOCKADDR_IN_LENGTH, ipv4Address, port);
        size++;
    }

    /** The length queued in {@code slot}. */
    public int length(final int slot)
    {
        return (int)iovecs.buffer.getLong(slot * IOVEC_LENGTH + 8);
    }

    /** sendmmsg of every queued datagram: how many left, 0 when the send buffer is full, or -errno; then empties. */
    int send(final int fd)
    {
        if (size == 0)
        {
            return 0;
        }
        final int result = Native.LIBC.sendmmsg(fd, vector.address, size, 0);
        size = 0;
        return result >= 0 ? result : TunDevice.negativeErrnoOrZero();
    }
}
