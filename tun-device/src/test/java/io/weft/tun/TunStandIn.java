package io.weft.tun;

/**
 * A TUN queue without a TUN device, for tests that must not need root, as wireguard-go's tun/tuntest: one end of an
 * AF_UNIX SOCK_SEQPACKET socketpair is the {@link TunDevice} the code under test reads and writes (a whole packet
 * per call, non-blocking, as a TUN queue), the other end is the kernel's side, where the test puts what the kernel
 * would route into the overlay and takes what was written to it. Packets are passed as they are: with a
 * virtio_net_hdr in front when the code under test is told the queue has IFF_VNET_HDR.
 */
public final class TunStandIn implements AutoCloseable {
    private static final int FD_LENGTH = 4;
    private static final int MAX_READ = TunDevice.VIRTIO_NET_HDR_LENGTH + 65_535;

    private final TunDevice device;
    private final int kernelFd;
    private final NativeBuffer scratch = new NativeBuffer(MAX_READ);
    private boolean closed;

    private TunStandIn(final TunDevice device, final int kernelFd) {
        this.device = device;
        this.kernelFd = kernelFd;
    }

    /** A connected pair; the device is named {@code name} but exists nowhere but here. */
    public static TunStandIn open(final String name) throws NativeException {
        final NativeBuffer fds = new NativeBuffer(2 * FD_LENGTH);
        Native.check(Native.libc().socketpair(SocketConstants.AF_UNIX,
            SocketConstants.SOCK_SEQPACKET | SocketConstants.SOCK_NONBLOCK | SocketConstants.SOCK_CLOEXEC, 0,
            fds.address), "socketpair(AF_UNIX, SOCK_SEQPACKET)");
        return new TunStandIn(new TunDevice(name, fds.buffer.getInt(0)), fds.buffer.getInt(FD_LENGTH));
    }

    /** The end the code under test uses as its TUN queue. */
    public TunDevice device() {
        return device;
    }

    /** Queues {@code packet} for the device's next read, as the kernel routing it into the TUN would. */
    public void put(final byte[] packet) {
        for (int i = 0; i < packet.length; i++) {
            scratch.buffer.put(i, packet[i]);
        }
        final long written = Native.LIBC.write(kernelFd, scratch.address, packet.length);
        if (written != packet.length) {
            throw new IllegalStateException("the stand-in's queue took " + written + " of " + packet.length +
                " bytes: " + Errno.describe(Native.errno()));
        }
    }

    /** The oldest packet written to the device and not yet taken, or null when there is none. */
    public byte[] take() {
        final long length = Native.LIBC.read(kernelFd, scratch.address, MAX_READ);
        if (length < 0) {
            final int errno = Native.errno();
            if (errno == Errno.EAGAIN) {
                return null;
            }
            throw new IllegalStateException("read from the stand-in: " + Errno.describe(errno));
        }
        final byte[] packet = new byte[(int)length];
        for (int i = 0; i < packet.length; i++) {
            packet[i] = scratch.buffer.get(i);
        }
        return packet;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            device.close();
            Native.closeQuietly(kernelFd);
        }
    }
}
