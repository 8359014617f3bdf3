package io.weft.tun;

/**
 * Datagrams queued for one sendmmsg: each in its own slot of memory the caller owns, each with its own destination.
 * The caller fills the next slot in place (e.g. a TUN read straight into {@link #nextSlotAddress()}), then
 * {@link #add}s it; {@link UdpSocket#send(SendBatch)} sends them all with one system call.
 * <p>
 * With segmentation on, consecutive datagrams to one destination share one message: its iovecs are their slots and a
 * UDP_SEGMENT cmsg gives their size, so the kernel moves the run through its stack as one buffer (UDP GSO) and cuts
 * it into the same datagrams only at the end (or the receiver's UDP GRO keeps them together). A run is as UDP GSO
 * wants it: at most {@link UdpSocket#UDP_MAX_SEGMENTS} datagrams and {@link #MAX_GSO_BYTES} bytes, every one as long
 * as the first but the last, which may be shorter. On the wire nothing changes.
 */
public final class SendBatch
{
    /** The most bytes one UDP GSO send may carry over IPv4: 65535 less the IP and UDP headers. */
    public static final int MAX_GSO_BYTES = 65_535 - 20 - 8;

    private final MessageVector messages;
    private final NativeBuffer controls;
    private final boolean segmentation;
    /** Per message: datagrams, bytes, datagram size, whether a shorter one ended the run, and destination. */
    private final int[] datagrams;
    private final int[] bytes;
    private final int[] segmentLength;
    private final boolean[] closed;
    private final int[] destinationAddress;
    private final int[] destinationPort;
    private int slots;
    private int size;

    /** {@code capacity} slots of {@code slotLength} bytes each, back to back from {@code dataAddress}; no GSO. */
    public SendBatch(final int capacity, final long dataAddress, final int slotLength)
    {
        this(capacity, dataAddress, slotLength, false);
    }

    /**
     * @param segmentation join consecutive datagrams to one destination into UDP GSO sends; the caller has checked
     *                     that the socket takes UDP_SEGMENT and that every datagram fits the path MTU.
     */
    public SendBatch(final int capacity, final long dataAddress, final int slotLength, final boolean segmentation)
    {
        messages = new MessageVector(capacity, dataAddress, slotLength);
        controls = new NativeBuffer(capacity * MessageHeader.CONTROL_CAPACITY);
        this.segmentation = segmentation;
        datagrams = new int[capacity];
        bytes = new int[capacity];
        segmentLength = new int[capacity];
        closed = new boolean[capacity];
        destinationAddress = new int[capacity];
        destinationPort = new int[capacity];
    }

    /** Messages queued: datagrams, or with segmentation runs of datagrams. */
    public int size()
    {
        return size;
    }

    /** True when every slot holds a queued datagram. */
    public boolean isFull()
    {
        return slots == messages.capacity;
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
        return messages.slotAddress(slots);
    }

    /** Queues {@code length} bytes from {@code offset} of the next slot for {@code ipv4Address:port}. */
    public void add(final int offset, final int length, final int ipv4Address, final int port)
    {
        final int slot = slots++;
        messages.setIovec(slot, offset, length);
        final int last = size - 1;
        if (segmentation && last >= 0 && joins(last, length, ipv4Address, port))
        {
            datagrams[last]++;
            bytes[last] += length;
            closed[last] = length < segmentLength[last];
            final int header = MessageVector.header(last);
            messages.vector.buffer.putLong(header + MessageHeader.IOV_LENGTH_OFFSET, datagrams[last]);
            if (datagrams[last] == 2)
            {
                attachSegmentLength(last);
            }
            return;
        }
        final int message = size++;
        datagrams[message] = 1;
        bytes[message] = length;
        segmentLength[message] = length;
        closed[message] = false;
        destinationAddress[message] = ipv4Address;
        destinationPort[message] = port;
        final int header = MessageVector.header(message);
        messages.vector.buffer.putLong(header + MessageHeader.IOV_OFFSET,
            messages.iovecs.address + (long)slot * MessageVector.IOVEC_LENGTH);
        messages.vector.buffer.putLong(header + MessageHeader.IOV_LENGTH_OFFSET, 1L);
        messages.vector.buffer.putLong(header + MessageHeader.CONTROL_OFFSET, 0L);
        messages.vector.buffer.putLong(header + MessageHeader.CONTROL_LENGTH_OFFSET, 0L);
        messages.names.putSockaddrIn(message * SocketConstants.SOCKADDR_IN_LENGTH, ipv4Address, port);
    }

    /** Datagrams in message {@code message}: 1, or with segmentation up to {@link UdpSocket#UDP_MAX_SEGMENTS}. */
    public int datagrams(final int message)
    {
        return datagrams[message];
    }

    /** Bytes queued in message {@code message}, all its datagrams together. */
    public int length(final int message)
    {
        return bytes[message];
    }

    /** sendmmsg of every queued message: how many left, 0 when the send buffer is full, or -errno; then empties. */
    int send(final int fd)
    {
        if (size == 0)
        {
            return 0;
        }
        final int result = Native.LIBC.sendmmsg(fd, messages.vector.address, size, 0);
        size = 0;
        slots = 0;
        return result >= 0 ? result : TunDevice.negativeErrnoOrZero();
    }

    private boolean joins(final int message, final int length, final int ipv4Address, final int port)
    {
        return !closed[message] && length <= segmentLength[message] && length > 0 &&
            datagrams[message] < UdpSocket.UDP_MAX_SEGMENTS && bytes[message] + length <= MAX_GSO_BYTES &&
            destinationAddress[message] == ipv4Address && destinationPort[message] == port;
    }

    private void attachSegmentLength(final int message)
    {
        final int control = message * MessageHeader.CONTROL_CAPACITY;
        MessageHeader.writeShortControl(controls.buffer, control, UdpSocket.SOL_UDP, UdpSocket.UDP_SEGMENT,
            segmentLength[message]);
        final int header = MessageVector.header(message);
        messages.vector.buffer.putLong(header + MessageHeader.CONTROL_OFFSET, controls.address + control);
        messages.vector.buffer.putLong(header + MessageHeader.CONTROL_LENGTH_OFFSET, MessageHeader.CONTROL_CAPACITY);
    }
}
