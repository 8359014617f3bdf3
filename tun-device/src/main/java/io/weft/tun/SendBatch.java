package io.weft.tun;

/**
 * Datagrams queued for one sendmmsg: each in its own slot of memory the caller owns, each with its own destination.
 * The caller fills the next slot in place (e.g. a TUN read straight into {@link #nextSlotAddress()}), then
 * {@link #add}s it; {@link UdpSocket#send(SendBatch)} sends them all with one system call.
 */
public final class SendBatch
{
    private final MessageVector messages;
    private int size;

    /** {@code capacity} slots of {@code slotLength} bytes each, back to back from {@code dataAddress}. */
    public SendBatch(final int capacity, final long dataAddress, final int slotLength)
    {
        messages = new MessageVector(capacity, dataAddress, slotLength);
    }

    public int size()
    {
        return size;
    }

    public boolean isFull()
    {
        return size == messages.capacity;
    }

    public int slotLength()
    {
        return messages.slotLength;
    }

    public long slotAddress(final int slot)
    {
        return messages.slotAddress(slot);
    }

    /** Where the next datagram goes; valid while not {@link #isFull()}. */
    public long nextSlotAddress()
    {
        return messages.slotAddress(size);
    }

    /** Queues {@code length} bytes from {@code offset} of the next slot for {@code ipv4Address:port}. */
    public void add(final int offset, final int length, final int ipv4Address, final int port)
    {
        messages.setIovec(size, offset, length);
        messages.names.putSockaddrIn(size * SocketConstants.SOCKADDR_IN_LENGTH, ipv4Address, port);
        size++;
    }

    /** The length queued in {@code slot}. */
    public int length(final int slot)
    {
        return messages.iovecLength(slot);
    }

    /** sendmmsg of every queued datagram: how many left, 0 when the send buffer is full, or -errno; then empties. */
    int send(final int fd)
    {
        if (size == 0)
        {
            return 0;
        }
        final int result = Native.LIBC.sendmmsg(fd, messages.vector.address, size, 0);
        size = 0;
        return result >= 0 ? result : TunDevice.negativeErrnoOrZero();
    }
}
