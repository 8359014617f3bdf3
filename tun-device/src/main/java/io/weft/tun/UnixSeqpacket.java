package io.weft.tun;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An AF_UNIX SOCK_SEQPACKET socket in the abstract namespace, carrying short messages with file descriptors
 * (SCM_RIGHTS): how a running weftd hands its TUN queues and UDP sockets to the one that replaces it. Abstract names
 * belong to the network namespace, so each node (or host) has its own, and no file is left behind; having no file
 * permissions, the peer is checked by its credentials ({@link #peerUid()}). Setup path only: it allocates freely.
 * Blocking, with a receive timeout, so a peer that hangs cannot hold weftd.
 */
public final class UnixSeqpacket implements AutoCloseable {
    /** SCM_MAX_FD in the kernel: the most descriptors one message may carry. */
    public static final int MAX_FDS = 253;
    public static final int MAX_MESSAGE_LENGTH = 4096;
    /*
     * struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }: the path at 2; an abstract name starts with
     * a NUL byte and its length is the address length, not a terminator.
     */
    static final int SOCKADDR_UN_LENGTH = 110;
    static final int SUN_PATH_OFFSET = 2;
    /* struct ucred { pid_t pid; uid_t uid; gid_t gid; }: 12 bytes, uid at 4. */
    static final int UCRED_LENGTH = 12;
    static final int UCRED_UID_OFFSET = 4;
    static final int SO_PEERCRED = 17;
    static final int SO_RCVTIMEO = 20;
    static final int SCM_RIGHTS = 1;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    /* msg_flags bit set by recvmsg when the ancillary data did not fit: descriptors were lost. */
    static final int MSG_CTRUNC = 0x8;
    private static final int SHUT_RDWR = 2;
    private static final int CMSG_HEADER_LENGTH = MessageHeader.CMSG_DATA_OFFSET;
    /** {@link #controlSpace} of 3, which NativeLayoutTest compares with C's CMSG_SPACE. */
    static final int CMSG_SPACE_OF_THREE_FDS = CMSG_HEADER_LENGTH + 16;

    private final int fd;
    private final String name;
    private boolean closed;

    private UnixSeqpacket(final int fd, final String name) {
        this.fd = fd;
        this.name = name;
    }

    /** Listens on the abstract name {@code name}; EADDRINUSE when another process listens on it. */
    public static UnixSeqpacket listen(final String name) throws NativeException {
        final UnixSeqpacket socket = open(name);
        try {
            final NativeBuffer address = socket.abstractAddress();
            Native.check(Native.LIBC.bind(socket.fd, address.address, addressLength(name)),
                "cannot bind unix socket @" + name);
            address.keepAlive();
            Native.check(Native.LIBC.listen(socket.fd, 4), "listen on unix socket @" + name);
            return socket;
        } catch (final NativeException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Connects to the abstract name {@code name}; null when nobody listens there (ECONNREFUSED). */
    public static UnixSeqpacket connect(final String name, final long receiveTimeoutMs) throws NativeException {
        final UnixSeqpacket socket = open(name);
        try {
            final NativeBuffer address = socket.abstractAddress();
            final int result = Native.LIBC.connect(socket.fd, address.address, addressLength(name));
            address.keepAlive();
            if (result < 0) {
                final int errno = Native.errno();
                if (errno == Errno.ECONNREFUSED || errno == Errno.ENOENT) {
                    socket.close();
                    return null;
                }
                throw new NativeException("cannot connect to unix socket @" + name, errno, "");
            }
            socket.receiveTimeout(receiveTimeoutMs);
            return socket;
        } catch (final NativeException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** A connected pair, for tests and for a process talking to itself. */
    public static UnixSeqpacket[] pair() throws NativeException {
        final NativeBuffer fds = new NativeBuffer(8);
        Native.check(Native.libc().socketpair(SocketConstants.AF_UNIX,
            SocketConstants.SOCK_SEQPACKET | SocketConstants.SOCK_CLOEXEC, 0, fds.address), "socketpair(AF_UNIX)");
        fds.keepAlive();
        return new UnixSeqpacket[] {new UnixSeqpacket(fds.buffer.getInt(0), "pair"),
            new UnixSeqpacket(fds.buffer.getInt(4), "pair")};
    }

    /**
     * Waits for the next peer. Throws once {@link #shutdown()} was called from another thread (accept then fails
     * with EINVAL), which is how a listener is stopped.
     */
    public UnixSeqpacket accept(final long receiveTimeoutMs) throws NativeException {
        while (true) {
            final int peer = Native.LIBC.accept4(fd, 0L, 0L, SocketConstants.SOCK_CLOEXEC);
            if (peer >= 0) {
                final UnixSeqpacket socket = new UnixSeqpacket(peer, name);
                try {
                    socket.receiveTimeout(receiveTimeoutMs);
                } catch (final NativeException e) {
                    socket.close();
                    throw e;
                }
                return socket;
            }
            final int errno = Native.errno();
            if (errno != Errno.EINTR) {
                throw new NativeException("accept on unix socket @" + name, errno, "");
            }
        }
    }

    /** The effective uid of the process at the other end (SO_PEERCRED, as it was when it connected). */
    public int peerUid() throws NativeException {
        final NativeBuffer credentials = new NativeBuffer(UCRED_LENGTH + 4);
        credentials.buffer.putInt(UCRED_LENGTH, UCRED_LENGTH);
        Native.check(Native.LIBC.getsockopt(fd, SocketConstants.SOL_SOCKET, SO_PEERCRED, credentials.address,
            credentials.address + UCRED_LENGTH), "getsockopt(SO_PEERCRED) on unix socket @" + name);
        credentials.keepAlive();
        return credentials.buffer.getInt(UCRED_UID_OFFSET);
    }

    /** This process's effective uid. */
    public static int effectiveUid() {
        return Native.libc().geteuid();
    }

    /** Sends one message carrying {@code fds} (which stay open here: the peer gets duplicates). */
    public void send(final byte[] message, final int[] fds) throws NativeException {
        if (message.length == 0 || message.length > MAX_MESSAGE_LENGTH || fds.length > MAX_FDS) {
            throw new IllegalArgumentException(message.length + " bytes, " + fds.length + " fds: out of bounds");
        }
        final NativeBuffer data = new NativeBuffer(message.length);
        data.buffer.put(0, message);
        final int controlLength = fds.length == 0 ? 0 : controlSpace(fds.length);
        final NativeBuffer control = new NativeBuffer(Math.max(controlLength, 8));
        if (fds.length > 0) {
            control.buffer.putLong(0, CMSG_HEADER_LENGTH + 4L * fds.length);
            control.buffer.putInt(MessageHeader.CMSG_LEVEL_OFFSET, SocketConstants.SOL_SOCKET);
            control.buffer.putInt(MessageHeader.CMSG_TYPE_OFFSET, SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) {
                control.buffer.putInt(CMSG_HEADER_LENGTH + 4 * i, fds[i]);
            }
        }
        final MessageHeader header = new MessageHeader();
        header.prepare(data.address, message.length, 0);
        header.memory.buffer.putLong(0, 0L);
        header.memory.buffer.putLong(MessageHeader.CONTROL_OFFSET, fds.length == 0 ? 0L : control.address);
        header.memory.buffer.putLong(MessageHeader.CONTROL_LENGTH_OFFSET, controlLength);
        final long sent = Native.LIBC.sendmsg(fd, header.address(), 0);
        data.keepAlive();
        control.keepAlive();
        Native.check(sent, "sendmsg on unix socket @" + name);
    }

    /**
     * Receives one message and the descriptors it carries (opened close-on-exec, owned by the caller). Throws on the
     * receive timeout (EAGAIN), and when the peer has closed (an empty message).
     */
    public Message receive() throws NativeException {
        final NativeBuffer data = new NativeBuffer(MAX_MESSAGE_LENGTH);
        final int controlLength = controlSpace(MAX_FDS);
        final NativeBuffer control = new NativeBuffer(controlLength);
        final MessageHeader header = new MessageHeader();
        header.prepare(data.address, MAX_MESSAGE_LENGTH, 0);
        header.memory.buffer.putLong(0, 0L);
        header.memory.buffer.putLong(MessageHeader.CONTROL_OFFSET, control.address);
        header.memory.buffer.putLong(MessageHeader.CONTROL_LENGTH_OFFSET, controlLength);
        final long received = Native.LIBC.recvmsg(fd, header.address(), MSG_CMSG_CLOEXEC);
        data.keepAlive();
        control.keepAlive();
        Native.check(received, "recvmsg on unix socket @" + name);
        final int[] fds = receivedFds(control, header.memory.buffer.getLong(MessageHeader.CONTROL_LENGTH_OFFSET));
        if ((header.flags() & MSG_CTRUNC) != 0) {
            closeAll(fds);
            throw new NativeException("recvmsg on unix socket @" + name + ": descriptors truncated", Errno.EMSGSIZE,
                "");
        }
        if (received == 0) {
            closeAll(fds);
            throw new NativeException("unix socket @" + name + ": the peer closed", Errno.ECONNREFUSED, "");
        }
        final byte[] bytes = new byte[(int)received];
        data.buffer.get(0, bytes);
        return new Message(bytes, fds);
    }

    /** Wakes a thread blocked in {@link #accept} or {@link #receive}: they fail from now on. */
    public void shutdown() {
        if (!closed) {
            Native.LIBC.shutdown(fd, SHUT_RDWR);
        }
    }

    /** Closes descriptors received and not taken over. */
    public static void closeAll(final int[] fds) {
        for (final int received : fds) {
            Native.closeQuietly(received);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.closeQuietly(fd);
        }
    }

    /** A message's bytes and the descriptors that came with it. */
    public record Message(byte[] data, int[] fds) {
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return text() + " with fds " + Arrays.toString(fds);
        }
    }

    /** CMSG_SPACE(4 * fds): the header and the ints, padded to 8 bytes. */
    static int controlSpace(final int fds) {
        return CMSG_HEADER_LENGTH + ((4 * fds + 7) & ~7);
    }

    private static int[] receivedFds(final NativeBuffer control, final long controlLength) {
        int[] fds = new int[0];
        int offset = 0;
        while (offset + CMSG_HEADER_LENGTH <= controlLength) {
            final long length = control.buffer.getLong(offset);
            if (length < CMSG_HEADER_LENGTH) {
                break;
            }
            if (control.buffer.getInt(offset + MessageHeader.CMSG_LEVEL_OFFSET) == SocketConstants.SOL_SOCKET &&
                control.buffer.getInt(offset + MessageHeader.CMSG_TYPE_OFFSET) == SCM_RIGHTS) {
                final int count = (int)((length - CMSG_HEADER_LENGTH) / 4);
                final int start = fds.length;
                fds = Arrays.copyOf(fds, start + count);
                for (int i = 0; i < count; i++) {
                    fds[start + i] = control.buffer.getInt(offset + CMSG_HEADER_LENGTH + 4 * i);
                }
            }
            offset += (int)((length + 7) & ~7L);
        }
        return fds;
    }

    private static UnixSeqpacket open(final String name) throws NativeException {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length >= SOCKADDR_UN_LENGTH - SUN_PATH_OFFSET) {
            throw new IllegalArgumentException("abstract socket name '" + name + "' must have 1 to 106 bytes");
        }
        final int fd = Native.check(Native.libc().socket(SocketConstants.AF_UNIX,
            SocketConstants.SOCK_SEQPACKET | SocketConstants.SOCK_CLOEXEC, 0), "cannot create unix socket");
        return new UnixSeqpacket(fd, name);
    }

    private NativeBuffer abstractAddress() {
        final NativeBuffer address = new NativeBuffer(SOCKADDR_UN_LENGTH);
        address.buffer.putShort(0, (short)SocketConstants.AF_UNIX);
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            address.buffer.put(SUN_PATH_OFFSET + 1 + i, bytes[i]);
        }
        return address;
    }

    private static int addressLength(final String name) {
        return SUN_PATH_OFFSET + 1 + name.getBytes(StandardCharsets.UTF_8).length;
    }

    private void receiveTimeout(final long timeoutMs) throws NativeException {
        final NativeBuffer timeout = new NativeBuffer(16);
        timeout.buffer.putLong(0, timeoutMs / 1000);
        timeout.buffer.putLong(8, (timeoutMs % 1000) * 1000);
        Native.check(Native.LIBC.setsockopt(fd, SocketConstants.SOL_SOCKET, SO_RCVTIMEO, timeout.address, 16),
            "setsockopt(SO_RCVTIMEO) on unix socket @" + name);
        timeout.keepAlive();
    }
}
