package io.weft.tun;

/**
 * Datagrams queued for one sendmmsg, each with its own destination. Two kinds of message, in any order:
 * <ul>
 * <li>a datagram in a slot of memory the caller owns: the caller fills the next slot in place (e.g. a TUN read
 * straight into {@link #nextSlotAddress()}), then {@link #add}s it;</li>
 * <li>a run of datagrams gathered from anywhere ({@link #beginSegments}, {@link #addSegment},
 * {@link #endSegments}; more than one needs segmentation): each datagram its headers and its payload, two iovecs,
 * so nothing is copied to assemble them. When they point into the next slot, {@link #keepSlot()} keeps it.</li>
 * </ul>
 * {@link UdpSocket#send(SendBatch)} sends them all with one system call.
 * <p>
 * A run of datagrams may also stay open across sends ({@link UdpSocket#send(SendBatch, boolean)}): everything before
 * it leaves, it stays queued with the slots it points into, and the next gathered datagrams of the same size to the
 * same destination extend it ({@link #roomInLastRun}) until it is full. Why: a TCP super-packet of 45 MSS-sized
 * segments is one datagram too many for one UDP GSO send, so sent alone it crosses the underlay as two buffers, one
 * of them a single datagram; continued by the next super-packet of the flow, most sends are full ones.
 * <p>
 * With segmentation on, consecutive slot datagrams to one destination also share one message. A message of several
 * datagrams carries a UDP_SEGMENT cmsg with their size, so the kernel moves the run through its stack as one
 * buffer (UDP GSO) and cuts it into the same datagrams only at the end (or the receiver's UDP GRO keeps them
 * together). A run is as UDP GSO wants it: at most {@link UdpSocket#UDP_MAX_SEGMENTS} datagrams and
 * {@link #MAX_GSO_BYTES} bytes, every one as long as the first but the last, which may be shorter. On the wire
 * nothing changes.
 */
public final class SendBatch {
    /** The most bytes one UDP GSO send may carry over IPv4: 65535 less the IP and UDP headers. */
    public static final int MAX_GSO_BYTES = 65_535 - 20 - 8;
    /** {@link #outcome}: the message left. */
    public static final int SENT = 0;
    /** {@link #outcome}: the message was not tried: the send buffer was full (EAGAIN, ENOBUFS) before it. */
    public static final int NOT_SENT = 1;
    /** sendmmsg takes at most UIO_MAXIOV messages per call. */
    private static final int MAX_MESSAGES = 1024;

    private final int slotCapacity;
    private final MessageVector messages;
    private final NativeBuffer controls;
    private boolean segmentation;
    /** Per message: iovecs, datagrams, bytes, datagram size, whether it may take one more datagram, destination. */
    private final int[] iovecCount;
    private final int[] datagrams;
    private final int[] bytes;
    private final int[] segmentLength;
    private final boolean[] joinable;
    private final int[] destinationAddress;
    private final int[] destinationPort;
    /** Per message, what its last send did: {@link #SENT}, {@link #NOT_SENT} or -errno. */
    private final int[] outcome;
    private int slots;
    /** sendmmsg calls the last send made. */
    private int calls;
    private int iovecs;
    private int size;
    /** Messages before this one left with a send that kept the last run open. */
    private int firstUnsent;
    /** The length of the datagram {@link #addSegment} added last. */
    private int lastSegmentLength;

    /** {@code capacity} slots of {@code slotLength} bytes each, back to back from {@code dataAddress}; no GSO. */
    public SendBatch(final int capacity, final long dataAddress, final int slotLength) {
        this(capacity, dataAddress, slotLength, false);
    }

    /**
     * @param segmentation join consecutive datagrams to one destination into UDP GSO sends; the caller has checked
     *                     that the socket takes UDP_SEGMENT and that every datagram fits the path MTU.
     */
    public SendBatch(final int capacity, final long dataAddress, final int slotLength, final boolean segmentation) {
        // Each slot may turn into up to UDP_MAX_SEGMENTS messages (a cut super-packet sent without GSO), of two
        // iovecs per datagram.
        final int messageCapacity = Math.min(MAX_MESSAGES, capacity * UdpSocket.UDP_MAX_SEGMENTS);
        final int iovecCapacity = capacity * 2 * UdpSocket.UDP_MAX_SEGMENTS;
        this.slotCapacity = capacity;
        this.messages = new MessageVector(messageCapacity, iovecCapacity, dataAddress, slotLength);
        this.controls = new NativeBuffer(messageCapacity * MessageHeader.CONTROL_CAPACITY);
        this.segmentation = segmentation;
        iovecCount = new int[messageCapacity];
        datagrams = new int[messageCapacity];
        bytes = new int[messageCapacity];
        segmentLength = new int[messageCapacity];
        joinable = new boolean[messageCapacity];
        destinationAddress = new int[messageCapacity];
        destinationPort = new int[messageCapacity];
        outcome = new int[messageCapacity];
    }

    /**
     * From now on every datagram is a message of its own (no UDP GSO): for when the kernel refuses GSO sends that it
     * accepted the socket option for (an IPsec policy on the path, a path MTU below the datagram size). A run already
     * queued stays one GSO message and is no longer extended: the next send sends it as it is.
     */
    public void stopSegmentation() {
        segmentation = false;
        if (size > firstUnsent) {
            joinable[size - 1] = false;
        }
    }

    /** Messages queued, sent ones before {@link #firstUnsent()} included: datagrams, or runs of datagrams. */
    public int size() {
        return size;
    }

    /** The first message the next send sends; those before it have left, the open run kept after them. */
    public int firstUnsent() {
        return firstUnsent;
    }

    /** How many messages the next send sends: all unsent ones, or all but the open run when it is kept. */
    public int sendable(final boolean keepOpenRun) {
        return (keepOpenRun && lastRunOpen() ? size - 1 : size) - firstUnsent;
    }

    /** True when the next slot, whatever it turns into, might not fit: send first. */
    public boolean isFull() {
        return slots == slotCapacity || size + UdpSocket.UDP_MAX_SEGMENTS > messages.capacity;
    }

    public int slotLength() {
        return messages.slotLength;
    }

    public long slotAddress(final int slot) {
        return messages.slotAddress(slot);
    }

    /** Index of the next slot; valid while not {@link #isFull()}. */
    public int nextSlot() {
        return slots;
    }

    /** Where the next datagram goes; valid while not {@link #isFull()}. */
    public long nextSlotAddress() {
        return messages.slotAddress(slots);
    }

    /** Queues {@code length} bytes from {@code offset} of the next slot for {@code ipv4Address:port}. */
    public void add(final int offset, final int length, final int ipv4Address, final int port) {
        final long address = messages.slotAddress(slots++) + offset;
        final int last = size - 1;
        if (segmentation && last >= firstUnsent && joins(last, length, ipv4Address, port)) {
            appendIovec(last, address, length);
            datagrams[last]++;
            bytes[last] += length;
            joinable[last] = length == segmentLength[last];
            if (datagrams[last] == 2) {
                attachSegmentLength(last);
            }
            return;
        }
        final int message = begin(ipv4Address, port);
        appendIovec(message, address, length);
        datagrams[message] = 1;
        bytes[message] = length;
        segmentLength[message] = length;
        joinable[message] = true;
    }

    /** Keeps the next slot until the send: what queued iovecs point at was read there. */
    public void keepSlot() {
        slots++;
    }

    /** Starts a message of datagrams gathered with {@link #addSegment}, for {@code ipv4Address:port}. */
    public void beginSegments(final int ipv4Address, final int port) {
        final int message = begin(ipv4Address, port);
        datagrams[message] = 0;
        bytes[message] = 0;
        segmentLength[message] = 0;
        joinable[message] = false;
    }

    /**
     * How many more datagrams of {@code length} bytes for {@code ipv4Address:port} the last message takes: none
     * unless it is an unsent run, or datagram, of that size, to that destination, whose datagrams are all that long.
     * When there is room, {@link #addSegment} extends it and {@link #endSegments} with the same length closes it.
     */
    public int roomInLastRun(final int ipv4Address, final int port, final int length) {
        final int last = size - 1;
        if (!segmentation || last < firstUnsent || length <= 0 || !joinable[last] || segmentLength[last] != length ||
            destinationAddress[last] != ipv4Address || destinationPort[last] != port) {
            return 0;
        }
        final int byCount = UdpSocket.UDP_MAX_SEGMENTS - datagrams[last];
        return Math.max(0, Math.min(byCount, (MAX_GSO_BYTES - bytes[last]) / length));
    }

    /**
     * Adds one datagram to the message begun last: {@code headersLength} bytes at {@code headers}, then
     * {@code payloadLength} bytes at {@code payload}.
     */
    public void addSegment(final long headers, final int headersLength, final long payload, final int payloadLength) {
        final int message = size - 1;
        appendIovec(message, headers, headersLength);
        appendIovec(message, payload, payloadLength);
        datagrams[message]++;
        bytes[message] += headersLength + payloadLength;
        lastSegmentLength = headersLength + payloadLength;
    }

    /**
     * Ends the message {@link #beginSegments} started (or {@link #roomInLastRun} reopened); with more than one
     * datagram, each is {@code length} long but the last, which may be shorter. Only a run whose last datagram is
     * {@code length} long too may be extended later.
     */
    public void endSegments(final int length) {
        final int message = size - 1;
        segmentLength[message] = length;
        joinable[message] = segmentation && lastSegmentLength == length;
        if (datagrams[message] > 1) {
            attachSegmentLength(message);
        }
    }

    /** Datagrams in message {@code message}. */
    public int datagrams(final int message) {
        return datagrams[message];
    }

    /** Bytes queued in message {@code message}, all its datagrams together. */
    public int length(final int message) {
        return bytes[message];
    }

    /** What the last send did with message {@code message}: {@link #SENT}, {@link #NOT_SENT} or -errno. */
    public int outcome(final int message) {
        return outcome[message];
    }

    /** sendmmsg calls the last send made: one per stretch of messages it sent, refusal or full buffer it met. */
    public int systemCalls() {
        return calls;
    }

    /**
     * sendmmsg of the {@link #sendable} messages: how many left; {@link #outcome} tells each one's fate. A message
     * the kernel refuses on its own (an error for its destination: no route, a firewall's EPERM, a GSO send it cannot
     * make) is skipped and the rest still go: one peer's trouble must cost the others nothing. sendmmsg reports such
     * an error only for the first message of a call (after others it returns the count sent and drops the error), so
     * a short count means another call from the message it stopped at. When the send buffer is full (EAGAIN) the
     * rest are not tried. Then the batch is empty, or holds only the open run (slots and iovecs it uses stay taken
     * until it is sent).
     */
    int send(final int fd, final boolean keepOpenRun) {
        final int count = sendable(keepOpenRun);
        calls = 0;
        if (count == 0) {
            return 0;
        }
        final int end = firstUnsent + count;
        int next = firstUnsent;
        while (next < end) {
            final int result = Native.LIBC.sendmmsg(fd, messages.vector.address + MessageVector.header(next),
                end - next, 0);
            calls++;
            if (result > 0) {
                for (int i = 0; i < result; i++) {
                    outcome[next + i] = SENT;
                }
                next += result;
                continue;
            }
            final int errno = result == 0 ? Errno.EAGAIN : Native.errno();
            // ENOBUFS: a device queue on the way is full, as good as a full send buffer.
            if (errno == Errno.EAGAIN || errno == Errno.ENOBUFS) {
                break;
            }
            if (errno != Errno.EINTR) {
                outcome[next++] = -errno;
            }
        }
        int sent = 0;
        for (int i = firstUnsent; i < end; i++) {
            if (i >= next) {
                outcome[i] = NOT_SENT;
            } else if (outcome[i] == SENT) {
                sent++;
            }
        }
        firstUnsent = end;
        if (firstUnsent == size) {
            size = 0;
            slots = 0;
            iovecs = 0;
            firstUnsent = 0;
        }
        return sent;
    }

    /** The last message is an unsent run that one more datagram of its size could extend. */
    private boolean lastRunOpen() {
        final int last = size - 1;
        return last >= firstUnsent && joinable[last] && datagrams[last] < UdpSocket.UDP_MAX_SEGMENTS &&
            bytes[last] + segmentLength[last] <= MAX_GSO_BYTES;
    }

    private int begin(final int ipv4Address, final int port) {
        final int message = size++;
        iovecCount[message] = 0;
        destinationAddress[message] = ipv4Address;
        destinationPort[message] = port;
        final int header = MessageVector.header(message);
        messages.vector.buffer.putLong(header + MessageHeader.IOV_OFFSET,
            messages.iovecs.address + (long)iovecs * MessageVector.IOVEC_LENGTH);
        messages.vector.buffer.putLong(header + MessageHeader.CONTROL_OFFSET, 0L);
        messages.vector.buffer.putLong(header + MessageHeader.CONTROL_LENGTH_OFFSET, 0L);
        messages.names.putSockaddrIn(message * SocketConstants.SOCKADDR_IN_LENGTH, ipv4Address, port);
        return message;
    }

    /** The message's iovecs are the last ones of the pool, so the next one extends it. */
    private void appendIovec(final int message, final long address, final int length) {
        messages.setIovecAddress(iovecs++, address, length);
        iovecCount[message]++;
        messages.vector.buffer.putLong(MessageVector.header(message) + MessageHeader.IOV_LENGTH_OFFSET,
            iovecCount[message]);
    }

    private boolean joins(final int message, final int length, final int ipv4Address, final int port) {
        return joinable[message] && length <= segmentLength[message] && length > 0 &&
            datagrams[message] < UdpSocket.UDP_MAX_SEGMENTS && bytes[message] + length <= MAX_GSO_BYTES &&
            destinationAddress[message] == ipv4Address && destinationPort[message] == port;
    }

    private void attachSegmentLength(final int message) {
        final int control = message * MessageHeader.CONTROL_CAPACITY;
        MessageHeader.writeShortControl(controls.buffer, control, UdpSocket.SOL_UDP, UdpSocket.UDP_SEGMENT,
            segmentLength[message]);
        final int header = MessageVector.header(message);
        messages.vector.buffer.putLong(header + MessageHeader.CONTROL_OFFSET, controls.address + control);
        messages.vector.buffer.putLong(header + MessageHeader.CONTROL_LENGTH_OFFSET, MessageHeader.CONTROL_CAPACITY);
    }
}
