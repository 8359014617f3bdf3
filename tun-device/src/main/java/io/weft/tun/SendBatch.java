package io.weft.tun;

/**
 * Datagrams queued for one sendmmsg, each with its own destination. Two kinds of datagram, in any order:
 * <ul>
 * <li>one in a slot of memory the caller owns: the caller fills the next slot in place (e.g. a TUN read straight
 * into {@link #nextSlotAddress()}), then {@link #add}s it;</li>
 * <li>one gathered from two places, its headers and its payload, two iovecs, so nothing is copied to assemble it
 * ({@link #addGathered}), or up to four with an authentication header and tag; when the payloads lie in the next
 * slot, {@link #keepSlot()} keeps it until the send.</li>
 * </ul>
 * {@link UdpSocket#send(SendBatch)} sends them all with one system call.
 * <p>
 * With segmentation on, consecutive datagrams to one destination share one message as {@link GsoRun} decides. A
 * message of several datagrams carries a UDP_SEGMENT cmsg with their size, so the kernel moves the run through its
 * stack as one buffer (UDP GSO) and cuts it into the same datagrams only at the end (or the receiver's UDP GRO keeps
 * them together). On the wire nothing changes.
 * <p>
 * The last run may also stay queued across sends ({@link UdpSocket#send(SendBatch, boolean)}): everything before it
 * leaves, it stays with the slots it points into, and the next datagrams of its size to its destination extend it
 * until it is full. Why: a TCP super-packet of a few segments more than one UDP GSO send carries would otherwise
 * cross the underlay as a full buffer and a small one; continued by the next super-packet of the flow, most sends
 * are full ones.
 */
public final class SendBatch {
    /** {@link #outcome}: the message left. */
    public static final int SENT = 0;
    /** {@link #outcome}: the message was not tried: the send buffer was full (EAGAIN, ENOBUFS) before it. */
    public static final int NOT_SENT = 1;
    /** sendmmsg takes at most UIO_MAXIOV messages per call. */
    private static final int MAX_MESSAGES = 1024;

    private final int slotCapacity;
    private final MessageVector messages;
    private final NativeBuffer controls;
    /** The last message's run: whether the next datagram joins it. Closed whenever no message is unsent. */
    private final GsoRun run;
    /** Per message: iovecs, datagrams, bytes. */
    private final int[] iovecCount;
    private final int[] datagrams;
    private final int[] bytes;
    /** Per message, what its last send did: {@link #SENT}, {@link #NOT_SENT} or -errno. */
    private final int[] outcome;
    private int slots;
    /** sendmmsg calls the last send made. */
    private int calls;
    private int iovecs;
    private int size;
    /** Messages before this one left with a send that kept the last run open. */
    private int firstUnsent;

    /** {@code capacity} slots of {@code slotLength} bytes each, back to back from {@code dataAddress}; no GSO. */
    public SendBatch(final int capacity, final long dataAddress, final int slotLength) {
        this(capacity, dataAddress, slotLength, false);
    }

    /**
     * @param segmentation join consecutive datagrams to one destination into UDP GSO sends; the caller has checked
     *                     that the socket takes UDP_SEGMENT and that every datagram fits the path MTU.
     */
    public SendBatch(final int capacity, final long dataAddress, final int slotLength, final boolean segmentation) {
        // Each slot may turn into up to UDP_MAX_SEGMENTS messages (a cut super-packet sent without GSO), of up to
        // four iovecs per datagram.
        final int messageCapacity = Math.min(MAX_MESSAGES, capacity * UdpSocket.UDP_MAX_SEGMENTS);
        final int iovecCapacity = capacity * 4 * UdpSocket.UDP_MAX_SEGMENTS;
        this.slotCapacity = capacity;
        this.messages = new MessageVector(messageCapacity, iovecCapacity, dataAddress, slotLength);
        this.controls = new NativeBuffer(messageCapacity * MessageHeader.CONTROL_CAPACITY);
        this.run = new GsoRun(segmentation);
        iovecCount = new int[messageCapacity];
        datagrams = new int[messageCapacity];
        bytes = new int[messageCapacity];
        outcome = new int[messageCapacity];
    }

    /**
     * From now on every datagram is a message of its own (no UDP GSO): for when the kernel refuses GSO sends that it
     * accepted the socket option for (an IPsec policy on the path, a path MTU below the datagram size). A run already
     * queued stays one GSO message and is no longer extended: the next send sends it as it is.
     */
    public void stopSegmentation() {
        run.stopSegmentation();
    }

    /** Messages queued, sent ones before {@link #firstUnsent()} included: datagrams, or runs of datagrams. */
    int size() {
        return size;
    }

    /** The first message the next send sends; those before it have left, the open run kept after them. */
    public int firstUnsent() {
        return firstUnsent;
    }

    /** How many messages the next send sends: all unsent ones, or all but the last run when it may grow. */
    public int sendable(final boolean keepOpenRun) {
        return (keepOpenRun && size > firstUnsent && run.canGrow() ? size - 1 : size) - firstUnsent;
    }

    /** True when the next slot, whatever it turns into, might not fit: send first. */
    public boolean isFull() {
        return slots == slotCapacity || size + UdpSocket.UDP_MAX_SEGMENTS > messages.capacity;
    }

    /** Where the next datagram goes; valid while not {@link #isFull()}. */
    public long nextSlotAddress() {
        return messages.slotAddress(slots);
    }

    /** Queues {@code length} bytes from {@code offset} of the next slot for {@code ipv4Address:port}. */
    public void add(final int offset, final int length, final int ipv4Address, final int port) {
        final long address = messages.slotAddress(slots++) + offset;
        queue(length, ipv4Address, port);
        appendIovec(size - 1, address, length);
    }

    /**
     * Keeps the next slot until the send, for what gathered datagrams point at in it (a read made there); valid
     * while not {@link #isFull()}. Returns its index.
     */
    public int keepSlot() {
        return slots++;
    }

    /**
     * Queues one datagram for {@code ipv4Address:port}: {@code headersLength} bytes at {@code headers}, then
     * {@code payloadLength} bytes at {@code payload}. True when it joined the run of the message before it.
     */
    public boolean addGathered(final long headers, final int headersLength, final long payload,
        final int payloadLength, final int ipv4Address, final int port) {
        final boolean joined = queue(headersLength + payloadLength, ipv4Address, port);
        appendIovec(size - 1, headers, headersLength);
        appendIovec(size - 1, payload, payloadLength);
        return joined;
    }

    /**
     * Queues one datagram of up to four parts, each an iovec unless empty: a {@code prefix} (an authentication
     * header), the packet's {@code headers}, its {@code payload} and a {@code trailer} (an authentication tag). True
     * when it joined the run of the message before it.
     */
    public boolean addGathered(final long prefix, final int prefixLength, final long headers, final int headersLength,
        final long payload, final int payloadLength, final long trailer, final int trailerLength,
        final int ipv4Address, final int port) {
        final boolean joined =
            queue(prefixLength + headersLength + payloadLength + trailerLength, ipv4Address, port);
        appendIovecUnlessEmpty(size - 1, prefix, prefixLength);
        appendIovecUnlessEmpty(size - 1, headers, headersLength);
        appendIovecUnlessEmpty(size - 1, payload, payloadLength);
        appendIovecUnlessEmpty(size - 1, trailer, trailerLength);
        return joined;
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
            clearIfAllSent();
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
        clearIfAllSent();
        return sent;
    }

    /** Frees every slot and iovec once no message is left to send, also slots kept for nothing in the end. */
    private void clearIfAllSent() {
        if (firstUnsent == size) {
            size = 0;
            slots = 0;
            iovecs = 0;
            firstUnsent = 0;
            run.close();
        }
    }

    /** Counts a datagram into the last message when it joins its run, else into a new last message. */
    private boolean queue(final int length, final int ipv4Address, final int port) {
        if (run.offer(length, ipv4Address, port)) {
            final int message = size - 1;
            datagrams[message]++;
            bytes[message] += length;
            if (datagrams[message] == 2) {
                attachSegmentLength(message, run.segmentLength());
            }
            return true;
        }
        final int message = size++;
        iovecCount[message] = 0;
        datagrams[message] = 1;
        bytes[message] = length;
        final int header = MessageVector.header(message);
        messages.vector.buffer.putLong(header + MessageHeader.IOV_OFFSET,
            messages.iovecs.address + (long)iovecs * MessageVector.IOVEC_LENGTH);
        messages.vector.buffer.putLong(header + MessageHeader.CONTROL_OFFSET, 0L);
        messages.vector.buffer.putLong(header + MessageHeader.CONTROL_LENGTH_OFFSET, 0L);
        messages.names.putSockaddrIn(message * SocketConstants.SOCKADDR_IN_LENGTH, ipv4Address, port);
        return false;
    }

    private void appendIovecUnlessEmpty(final int message, final long address, final int length) {
        if (length > 0) {
            appendIovec(message, address, length);
        }
    }

    /** The message's iovecs are the last ones of the pool, so the next one extends it. */
    private void appendIovec(final int message, final long address, final int length) {
        messages.setIovecAddress(iovecs++, address, length);
        iovecCount[message]++;
        messages.vector.buffer.putLong(MessageVector.header(message) + MessageHeader.IOV_LENGTH_OFFSET,
            iovecCount[message]);
    }

    private void attachSegmentLength(final int message, final int segmentLength) {
        final int control = message * MessageHeader.CONTROL_CAPACITY;
        MessageHeader.writeShortControl(controls.buffer, control, UdpSocket.SOL_UDP, UdpSocket.UDP_SEGMENT,
            segmentLength);
        final int header = MessageVector.header(message);
        messages.vector.buffer.putLong(header + MessageHeader.CONTROL_OFFSET, controls.address + control);
        messages.vector.buffer.putLong(header + MessageHeader.CONTROL_LENGTH_OFFSET, MessageHeader.CONTROL_CAPACITY);
    }
}
