package io.weft.tun;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A TUN interface opened through /dev/net/tun. The fd is non-blocking: {@link #read} returns 0 when nothing is
 * queued, and the owner waits for readiness with {@link Epoll}. The kernel removes the device when the last fd
 * closes, and with it every address and route on it, unless the device was made persistent ({@link #setPersistent}):
 * then it stays, with no queue attached, until someone deletes it.
 */
public final class TunDevice implements AutoCloseable {
    /** From include/uapi/linux/if_tun.h. */
    public static final int IFF_TUN = 0x0001;
    public static final int IFF_NO_PI = 0x1000;
    public static final int IFF_MULTI_QUEUE = 0x0100;
    public static final int IFF_VNET_HDR = 0x4000;
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    /** _IOW('T', 203, int): the device outlives its last fd. */
    static final long TUNSETPERSIST = 0x400454cbL;
    /** _IOR('T', 210, unsigned int): the ifreq the queue was attached with, flags as the device has them now. */
    static final long TUNGETIFF = 0x800454d2L;
    /** Set in TUNGETIFF's flags on a persistent device. */
    public static final int IFF_PERSIST = 0x0800;
    /** TUNSETOFFLOAD flags: what the kernel may hand us unfinished (partial checksums, TCP super-packets). */
    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    /** UDP segmentation offload, IPv4 and IPv6: Linux 6.2 takes them only together. */
    public static final int TUN_F_USO4 = 0x20;
    public static final int TUN_F_USO6 = 0x40;
    /** sizeof(struct virtio_net_hdr): the header every read and write carries with IFF_VNET_HDR. */
    public static final int VIRTIO_NET_HDR_LENGTH = 10;
    public static final int VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
    /** A UDP super-packet: the kernel cuts it into datagrams of gso_size payload bytes (Linux 6.2 and later). */
    public static final int VIRTIO_NET_HDR_GSO_UDP_L4 = 5;
    static final String DEVICE = "/dev/net/tun";

    /*
     * struct ifreq (40 bytes on 64-bit):
     *   char ifr_name[IFNAMSIZ];   offset 0, 16 bytes, NUL terminated
     *   short ifr_flags;           offset 16 (a union with other members)
     */
    private static final int IFREQ_LENGTH = 40;
    private static final int IFREQ_FLAGS_OFFSET = 16;
    static final int IFNAMSIZ = 16;

    private final String name;
    private final int fd;
    private boolean closed;

    /** A TUN queue already open as {@code fd}; tests give it one end of a socketpair as a stand-in. */
    TunDevice(final String name, final int fd) {
        this.name = name;
        this.fd = fd;
    }

    /** Opens (creating if needed) the TUN interface {@code name} with {@code IFF_TUN | IFF_NO_PI | extraFlags}. */
    public static TunDevice open(final String name, final int extraFlags) throws NativeException {
        final byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("TUN name '" + name + "' must have 1 to 15 characters");
        }
        final LibC libc = Native.libc();
        final int fd = Native.check(
            libc.open(DEVICE, SocketConstants.O_RDWR | SocketConstants.O_NONBLOCK | SocketConstants.O_CLOEXEC),
            "cannot open " + DEVICE, TunDevice::explainOpen);
        try {
            final NativeBuffer ifreq = new NativeBuffer(IFREQ_LENGTH);
            for (int i = 0; i < nameBytes.length; i++) {
                ifreq.buffer.put(i, nameBytes[i]);
            }
            ifreq.buffer.putShort(IFREQ_FLAGS_OFFSET, (short)(IFF_TUN | IFF_NO_PI | extraFlags));
            Native.check(libc.ioctl(fd, TUNSETIFF, ifreq.address), "cannot create TUN device " + name + " (TUNSETIFF)",
                errno -> explainSetIff(name, errno));
            ifreq.keepAlive();
            return new TunDevice(name, fd);
        } catch (final NativeException | RuntimeException e) {
            Native.closeQuietly(fd);
            throw e;
        }
    }

    /**
     * A TUN queue that is already open as {@code fd}, e.g. received from another process: this object owns it from
     * now on and closes it.
     */
    public static TunDevice ofOpenQueue(final String name, final int fd) {
        return new TunDevice(name, fd);
    }

    /** True when this process could open a TUN device; see {@link #unavailabilityCause()}. */
    public static boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /** Why TUN devices cannot be used here, or null when they can (checks the library and the device node only). */
    public static String unavailabilityCause() {
        if (Native.LIBC == null) {
            return "jnr-ffi cannot bind the kernel: " + Native.LOAD_FAILURE;
        }
        if (!Files.exists(Path.of(DEVICE))) {
            return DEVICE + " does not exist (no TUN support in this kernel or container)";
        }
        final int fd = Native.LIBC.open(DEVICE, SocketConstants.O_RDWR | SocketConstants.O_CLOEXEC);
        if (fd < 0) {
            return "cannot open " + DEVICE + ": " + Errno.describe(Native.errno());
        }
        Native.closeQuietly(fd);
        return null;
    }

    /**
     * Lets the kernel pass packets with partial checksums and TCP segmentation left undone (TUNSETOFFLOAD); needs
     * IFF_VNET_HDR. Throws when this kernel refuses, so the caller can fall back.
     */
    public void setOffload(final int offloadFlags) throws NativeException {
        Native.check(Native.LIBC.ioctl(fd, TUNSETOFFLOAD, offloadFlags),
            "TUNSETOFFLOAD(" + offloadFlags + ") on " + name);
    }

    /** Sets the virtio_net_hdr length of reads and writes (TUNSETVNETHDRSZ). */
    public void setVnetHeaderLength(final int length) throws NativeException {
        final NativeBuffer value = new NativeBuffer(4);
        value.buffer.putInt(0, length);
        Native.check(Native.LIBC.ioctl(fd, TUNSETVNETHDRSZ, value.address),
            "TUNSETVNETHDRSZ(" + length + ") on " + name);
        value.keepAlive();
    }

    /** Makes the device persistent (TUNSETPERSIST 1), or gives it back to the fate of its last fd (0). */
    public void setPersistent(final boolean persistent) throws NativeException {
        Native.check(Native.LIBC.ioctl(fd, TUNSETPERSIST, persistent ? 1 : 0),
            "TUNSETPERSIST(" + (persistent ? 1 : 0) + ") on " + name);
    }

    /** The device's flags as TUNGETIFF reports them (IFF_TUN, IFF_MULTI_QUEUE, IFF_NO_PI, IFF_PERSIST...). */
    public int flags() throws NativeException {
        final NativeBuffer ifreq = new NativeBuffer(IFREQ_LENGTH);
        Native.check(Native.LIBC.ioctl(fd, TUNGETIFF, ifreq.address), "TUNGETIFF on " + name);
        ifreq.keepAlive();
        return Short.toUnsignedInt(ifreq.buffer.getShort(IFREQ_FLAGS_OFFSET));
    }

    public String name() {
        return name;
    }

    public int fd() {
        return fd;
    }

    /** Reads one packet into native memory: its length, 0 when none is queued, or -errno. */
    public int read(final long address, final int length) {
        final long result = Native.LIBC.read(fd, address, length);
        return result >= 0 ? (int)result : negativeErrnoOrZero();
    }

    /** Writes one packet: the bytes written, 0 when the queue is full, or -errno. */
    public int write(final long address, final int length) {
        final long result = Native.LIBC.write(fd, address, length);
        return result >= 0 ? (int)result : negativeErrnoOrZero();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.closeQuietly(fd);
        }
    }

    static int negativeErrnoOrZero() {
        final int errno = Native.errno();
        return errno == Errno.EAGAIN ? 0 : -errno;
    }

    private static String explainOpen(final int errno) {
        switch (errno) {
            case Errno.ENOENT:
            case Errno.ENODEV:
                return "no TUN support: load the tun module or create the device node";
            case Errno.EPERM:
            case Errno.EACCES:
                return "need CAP_NET_ADMIN or access to " + DEVICE;
            default:
                return "";
        }
    }

    private static String explainSetIff(final String name, final int errno) {
        switch (errno) {
            case Errno.EPERM:
            case Errno.EACCES:
                return "need CAP_NET_ADMIN";
            case Errno.EBUSY:
                return "name in use: another process holds " + name;
            case Errno.EINVAL:
                return "name in use by a device that is not a TUN of these flags";
            default:
                return "";
        }
    }
}
