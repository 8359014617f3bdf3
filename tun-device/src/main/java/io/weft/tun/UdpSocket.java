package io.weft.tun;

/**
 * A non-blocking IPv4 UDP socket on raw native memory, sending a {@link SendBatch} and receiving a
 * {@link ReceiveBatch} per system call. One thread may send and one other thread may receive at the same time. The
 * one-datagram calls are package-private: only this package's tests use them.
 */
public final class UdpSocket implements AutoCloseable {
    private static final int INT_LENGTH = 4;
    /* msg_flags bit set by recvmsg when the datagram was longer than the buffer. */
    static final int MSG_TRUNC = 0x20;
    /** From include/uapi/linux/udp.h: the level and options of UDP segmentation offloads. */
    public static final int SOL_UDP = 17;
    public static final int UDP_SEGMENT = 103;
    public static final int UDP_GRO = 104;
    /** The kernel sends at most this many segments in one UDP GSO call (UDP_MAX_SEGMENTS). */
    public static final int UDP_MAX_SEGMENTS = 64;
    /** The most bytes one UDP GSO send may carry over IPv4: the largest IP packet less the IP and UDP headers. */
    static final int UDP_GSO_MAX_BYTES = 65_535 - 20 - 8;

    private final int fd;
    private final String boundTo;
    private final MessageHeader sendHeader = new MessageHeader();
    private final MessageHeader receiveHeader = new MessageHeader();
    private boolean groEnabled;
    private boolean closed;

    private UdpSocket(final int fd, final String boundTo) {
        this.fd = fd;
        this.boundTo = boundTo;
    }

    /**
     * Binds {@code ipv4Address:port} (0 = any). {@code reusePort} joins a SO_REUSEPORT group so several lanes share
     * the port; buffer sizes of 0 keep the kernel defaults.
     */
    public static UdpSocket bind(final int ipv4Address, final int port, final boolean reusePort,
        final int sendBufferLength, final int receiveBufferLength) throws NativeException {
        final LibC libc = Native.libc();
        final String where = Ipv4Text.format(ipv4Address) + ":" + port;
        final int fd = Native.check(libc.socket(SocketConstants.AF_INET,
            SocketConstants.SOCK_DGRAM | SocketConstants.SOCK_NONBLOCK | SocketConstants.SOCK_CLOEXEC, 0),
            "cannot create UDP socket");
        final UdpSocket socket = new UdpSocket(fd, where);
        try {
            if (reusePort) {
                socket.setIntOption(SocketConstants.SOL_SOCKET, SocketConstants.SO_REUSEPORT, 1, "SO_REUSEPORT");
            }
            socket.setBufferLength(SocketConstants.SO_SNDBUFFORCE, SocketConstants.SO_SNDBUF, sendBufferLength);
            socket.setBufferLength(SocketConstants.SO_RCVBUFFORCE, SocketConstants.SO_RCVBUF, receiveBufferLength);
            final NativeBuffer address = new NativeBuffer(SocketConstants.SOCKADDR_IN_LENGTH);
            address.putSockaddrIn(0, ipv4Address, port);
            Native.check(libc.bind(fd, address.address, SocketConstants.SOCKADDR_IN_LENGTH), "cannot bind UDP " + where,
                UdpSocket::explainBind);
            address.keepAlive();
            return socket;
        } catch (final NativeException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** A UDP socket already open as {@code fd}, e.g. received from another process; this object owns it now. */
    public static UdpSocket ofOpenSocket(final int fd) {
        return new UdpSocket(fd, "fd " + fd);
    }

    public int fd() {
        return fd;
    }

    /** The port the socket is bound to (the kernel's pick when bound to port 0). */
    int localPort() throws NativeException {
        // struct sockaddr_in, then the socklen_t the kernel reads its size from and writes the length back to.
        final int lengthOffset = SocketConstants.SOCKADDR_IN_LENGTH;
        final NativeBuffer name = new NativeBuffer(lengthOffset + INT_LENGTH);
        name.buffer.putInt(lengthOffset, SocketConstants.SOCKADDR_IN_LENGTH);
        Native.check(Native.LIBC.getsockname(fd, name.address, name.address + lengthOffset),
            "getsockname on UDP " + boundTo);
        return Short.toUnsignedInt(Short.reverseBytes(name.buffer.getShort(2)));
    }

    /** Sets an int socket option; throws naming the option on failure (setup only). */
    private void setIntOption(final int level, final int name, final int value, final String optionName)
        throws NativeException {
        final NativeBuffer buffer = new NativeBuffer(INT_LENGTH);
        buffer.buffer.putInt(0, value);
        Native.check(Native.LIBC.setsockopt(fd, level, name, buffer.address, INT_LENGTH),
            "setsockopt(" + optionName + "=" + value + ") on UDP " + boundTo);
        buffer.keepAlive();
    }

    /** Sends one datagram from native memory: bytes sent, 0 when the send buffer is full, or -errno. */
    int sendTo(final long address, final int length, final int ipv4Address, final int port) {
        sendHeader.memory.putSockaddrIn(sendHeader.nameOffset(), ipv4Address, port);
        sendHeader.prepare(address, length, SocketConstants.SOCKADDR_IN_LENGTH);
        final long result = Native.LIBC.sendmsg(fd, sendHeader.address(), 0);
        return result >= 0 ? (int)result : TunDevice.negativeErrnoOrZero();
    }

    /**
     * Sends {@code length} bytes as datagrams of {@code segmentLength} bytes each (the last may be shorter) in one
     * call, with UDP GSO (a UDP_SEGMENT cmsg): the kernel cuts them, or the NIC does. Same results as
     * {@link #sendTo}: bytes sent, 0 when the send buffer is full, or -errno (-EIO when GSO is not supported).
     */
    int sendSegments(final long address, final int length, final int segmentLength, final int ipv4Address,
        final int port) {
        sendHeader.memory.putSockaddrIn(sendHeader.nameOffset(), ipv4Address, port);
        sendHeader.prepare(address, length, SocketConstants.SOCKADDR_IN_LENGTH);
        sendHeader.attachShortControl(SOL_UDP, UDP_SEGMENT, segmentLength);
        final long result = Native.LIBC.sendmsg(fd, sendHeader.address(), 0);
        return result >= 0 ? (int)result : TunDevice.negativeErrnoOrZero();
    }

    /**
     * Asks the kernel to hand over consecutive datagrams of one sender as one buffer (UDP_GRO). Each receive then
     * reports their common size in {@link #segmentLength()}. False when this kernel cannot.
     */
    public boolean enableGro() {
        final NativeBuffer buffer = new NativeBuffer(INT_LENGTH);
        buffer.buffer.putInt(0, 1);
        groEnabled = Native.LIBC.setsockopt(fd, SOL_UDP, UDP_GRO, buffer.address, INT_LENGTH) == 0;
        buffer.keepAlive();
        return groEnabled;
    }

    /** True when the kernel accepts UDP_SEGMENT on this socket: GSO sends will work. */
    public boolean supportsGso() {
        final NativeBuffer buffer = new NativeBuffer(INT_LENGTH);
        buffer.buffer.putInt(0, 0);
        final boolean supported = Native.LIBC.setsockopt(fd, SOL_UDP, UDP_SEGMENT, buffer.address, INT_LENGTH) == 0;
        buffer.keepAlive();
        return supported;
    }

    /**
     * With GRO on, the size of each datagram in the last buffer received (the last one may be shorter); 0 when the
     * buffer holds a single datagram.
     */
    int segmentLength() {
        return groEnabled ? receiveHeader.receivedIntControl(SOL_UDP, UDP_GRO) : 0;
    }

    /**
     * Receives one datagram into native memory: its length (which may be 0 for an empty datagram), -EAGAIN when
     * none is queued, or another -errno. The sender is then in {@link #senderAddress()} and {@link #senderPort()},
     * and {@link #wasTruncated()} tells whether the datagram was longer than {@code capacity}.
     */
    int receive(final long address, final int capacity) {
        receiveHeader.prepare(address, capacity, receiveHeader.nameCapacity());
        if (groEnabled) {
            receiveHeader.offerControl();
        }
        final long result = Native.LIBC.recvmsg(fd, receiveHeader.address(), 0);
        return result >= 0 ? (int)result : -Native.errno();
    }

    /**
     * Sends every message queued in {@code batch} with sendmmsg: how many were sent; {@link SendBatch#outcome} tells
     * what happened to each of the others. The batch is empty afterwards.
     */
    int send(final SendBatch batch) {
        return batch.send(fd, false);
    }

    /**
     * As {@link #send(SendBatch)}, but with {@code keepOpenRun} a last run of datagrams that could take more stays
     * queued for the next send to extend (see {@link SendBatch}); the count is of the messages sent.
     */
    public int send(final SendBatch batch, final boolean keepOpenRun) {
        return batch.send(fd, keepOpenRun);
    }

    /**
     * Receives up to {@code batch.capacity()} datagrams in one recvmmsg: the slots filled, 0 when none was queued,
     * or -errno. Read them through the batch.
     */
    public int receive(final ReceiveBatch batch) {
        return batch.receive(fd);
    }

    /** IPv4 source address of the last datagram received, as an int in network order semantics. */
    int senderAddress() {
        return Integer.reverseBytes(receiveHeader.memory.buffer.getInt(receiveHeader.nameOffset() + 4));
    }

    int senderPort() {
        final short networkOrder = receiveHeader.memory.buffer.getShort(receiveHeader.nameOffset() + 2);
        return Short.toUnsignedInt(Short.reverseBytes(networkOrder));
    }

    boolean wasTruncated() {
        return (receiveHeader.flags() & MSG_TRUNC) != 0;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.closeQuietly(fd);
        }
    }

    private void setBufferLength(final int forcedOption, final int option, final int length) throws NativeException {
        if (length <= 0) {
            return;
        }
        // The FORCE variants pass net.core.{w,r}mem_max when we hold CAP_NET_ADMIN; fall back to the capped one.
        final NativeBuffer buffer = new NativeBuffer(INT_LENGTH);
        buffer.buffer.putInt(0, length);
        final boolean forced =
            Native.LIBC.setsockopt(fd, SocketConstants.SOL_SOCKET, forcedOption, buffer.address, INT_LENGTH) == 0;
        buffer.keepAlive();
        if (!forced) {
            setIntOption(SocketConstants.SOL_SOCKET, option, length, option == SocketConstants.SO_SNDBUF
                ? "SO_SNDBUF" : "SO_RCVBUF");
        }
    }

    private static String explainBind(final int errno) {
        switch (errno) {
            case Errno.EADDRINUSE:
                return "port in use: is flanneld or another weftd running on this node?";
            case Errno.EADDRNOTAVAIL:
                return "address not on any interface of this node";
            case Errno.EACCES:
                return "permission denied for this port";
            default:
                return "";
        }
    }
}
