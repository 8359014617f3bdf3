package io.weft.tun;

/**
 * An rtnetlink (NETLINK_ROUTE) socket for the few changes weftd makes to its own device: MTU, up, one address,
 * routes. Each request asks for an ACK and waits for it, so a failure is reported by the call that caused it.
 * Setup path only: it allocates freely and throws {@link NativeException} naming the request.
 */
public final class Netlink implements AutoCloseable {
    /*
     * struct nlmsghdr { __u32 nlmsg_len; __u16 nlmsg_type; __u16 nlmsg_flags; __u32 nlmsg_seq; __u32 nlmsg_pid; }
     */
    private static final int NLMSG_HEADER_LENGTH = 16;
    private static final int NLMSG_ERROR = 2;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_ACK = 0x4;
    private static final int NLM_F_EXCL = 0x200;
    private static final int NLM_F_CREATE = 0x400;
    private static final int NETLINK_ROUTE = 0;

    private static final int RTM_NEWLINK = 16;
    private static final int RTM_DELLINK = 17;
    private static final int RTM_NEWADDR = 20;
    private static final int RTM_DELADDR = 21;
    private static final int RTM_NEWROUTE = 24;
    private static final int RTM_DELROUTE = 25;

    /* struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; } : 16 bytes */
    private static final int IFINFOMSG_LENGTH = 16;
    private static final int IFF_UP = 0x1;
    private static final int IFLA_MTU = 4;
    private static final int IFLA_TXQLEN = 13;
    private static final int IFLA_GSO_MAX_SEGS = 40;

    /* struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; } : 8 bytes */
    private static final int IFADDRMSG_LENGTH = 8;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;

    /* struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; } : 12 bytes */
    private static final int RTMSG_LENGTH = 12;
    private static final int RT_TABLE_MAIN = 254;
    private static final int RTPROT_BOOT = 3;
    private static final int RT_SCOPE_UNIVERSE = 0;
    private static final int RTN_UNICAST = 1;
    private static final int RTN_BLACKHOLE = 6;
    private static final int RTA_DST = 1;
    private static final int RTA_OIF = 4;
    private static final int RTA_PRIORITY = 6;

    /* struct sockaddr_nl { u16 family; u16 pad; u32 pid; u32 groups; } : 12 bytes; pid 0 is the kernel */
    private static final int SOCKADDR_NL_LENGTH = 12;
    private static final int BUFFER_LENGTH = 8192;
    private static final int SO_RCVTIMEO = 20;
    private static final long REPLY_TIMEOUT_SECONDS = 5;

    private final int fd;
    private final NativeBuffer message = new NativeBuffer(BUFFER_LENGTH);
    private final NativeBuffer reply = new NativeBuffer(BUFFER_LENGTH);
    private final MessageHeader header = new MessageHeader();
    private int sequence;
    private int length;
    private boolean closed;

    public Netlink() throws NativeException {
        fd = Native.check(Native.libc().socket(SocketConstants.AF_NETLINK,
            SocketConstants.SOCK_RAW | SocketConstants.SOCK_CLOEXEC, NETLINK_ROUTE), "cannot open rtnetlink socket");
        header.memory.buffer.putShort(header.nameOffset(), (short)SocketConstants.AF_NETLINK);
        // The kernel always answers a request with NLM_F_ACK; a timeout turns a lost answer into an error, not a hang.
        final NativeBuffer timeout = new NativeBuffer(16);
        timeout.buffer.putLong(0, REPLY_TIMEOUT_SECONDS);
        Native.check(Native.LIBC.setsockopt(fd, SocketConstants.SOL_SOCKET, SO_RCVTIMEO, timeout.address, 16),
            "setsockopt(SO_RCVTIMEO) on rtnetlink socket");
        timeout.keepAlive();
    }

    /** The interface index of {@code name}; throws when there is no such device. */
    public static int linkIndex(final String name) throws NativeException {
        final int index = Native.libc().if_nametoindex(name);
        if (index == 0) {
            throw new NativeException("no network device named " + name, Native.errno(), "");
        }
        return index;
    }

    public void setMtu(final int linkIndex, final int mtu) throws NativeException {
        beginLink(linkIndex, 0, 0);
        putIntAttribute(IFLA_MTU, mtu);
        request("set MTU " + mtu + " on link " + linkIndex, errno -> "");
    }

    /** Caps the segments of one super-packet the kernel hands this link (e.g. what one UDP GSO send can carry). */
    public void setGsoMaxSegments(final int linkIndex, final int segments) throws NativeException {
        beginLink(linkIndex, 0, 0);
        putIntAttribute(IFLA_GSO_MAX_SEGS, segments);
        request("set gso_max_segs " + segments + " on link " + linkIndex, errno -> "");
    }

    /** Sets the transmit queue length: the packets the kernel holds for the TUN reader before dropping. */
    public void setTransmitQueueLength(final int linkIndex, final int packets) throws NativeException {
        beginLink(linkIndex, 0, 0);
        putIntAttribute(IFLA_TXQLEN, packets);
        request("set txqueuelen " + packets + " on link " + linkIndex, errno -> "");
    }

    public void setUp(final int linkIndex) throws NativeException {
        beginLink(linkIndex, IFF_UP, IFF_UP);
        request("set link " + linkIndex + " up", errno -> "");
    }

    /** Adds {@code address/prefixLength} to the link; EEXIST means another device or an earlier run holds it. */
    public void addAddress(final int linkIndex, final int address, final int prefixLength) throws NativeException {
        begin(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
        final int body = length;
        message.buffer.put(body, (byte)SocketConstants.AF_INET);
        message.buffer.put(body + 1, (byte)prefixLength);
        message.buffer.put(body + 2, (byte)0);
        message.buffer.put(body + 3, (byte)RT_SCOPE_UNIVERSE);
        message.buffer.putInt(body + 4, linkIndex);
        length += IFADDRMSG_LENGTH;
        putAddressAttribute(IFA_LOCAL, address);
        putAddressAttribute(IFA_ADDRESS, address);
        request("add address " + Ipv4Text.format(address) + "/" + prefixLength + " to link " + linkIndex,
            errno -> errno == Errno.EEXIST ? "address in use on this node" : "");
    }

    /** Removes {@code address/prefixLength} from the link; EADDRNOTAVAIL when it has no such address. */
    public void deleteAddress(final int linkIndex, final int address, final int prefixLength) throws NativeException {
        begin(RTM_DELADDR, 0);
        final int body = length;
        message.buffer.put(body, (byte)SocketConstants.AF_INET);
        message.buffer.put(body + 1, (byte)prefixLength);
        message.buffer.put(body + 2, (byte)0);
        message.buffer.put(body + 3, (byte)RT_SCOPE_UNIVERSE);
        message.buffer.putInt(body + 4, linkIndex);
        length += IFADDRMSG_LENGTH;
        putAddressAttribute(IFA_LOCAL, address);
        putAddressAttribute(IFA_ADDRESS, address);
        request("delete address " + Ipv4Text.format(address) + "/" + prefixLength + " from link " + linkIndex,
            errno -> "");
    }

    /** Adds {@code destination/prefixLength dev linkIndex} to the main table. */
    public void addRoute(final int destination, final int prefixLength, final int linkIndex) throws NativeException {
        route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, destination, prefixLength, linkIndex);
        request("add route " + Ipv4Text.format(destination) + "/" + prefixLength + " dev " + linkIndex,
            errno -> errno == Errno.EEXIST ? "a route to this network already exists on this node" : "");
    }

    public void deleteRoute(final int destination, final int prefixLength, final int linkIndex) throws NativeException {
        route(RTM_DELROUTE, 0, destination, prefixLength, linkIndex);
        request("delete route " + Ipv4Text.format(destination) + "/" + prefixLength + " dev " + linkIndex,
            errno -> "");
    }

    /** Deletes the link {@code linkIndex}, and with it its addresses and the routes through it. */
    public void deleteLink(final int linkIndex) throws NativeException {
        begin(RTM_DELLINK, 0);
        final int body = length;
        message.buffer.put(body, (byte)0);
        message.buffer.putInt(body + 4, linkIndex);
        length += IFINFOMSG_LENGTH;
        request("delete link " + linkIndex, errno -> "");
    }

    /**
     * Adds {@code blackhole destination/prefixLength metric metric}: what the kernel uses for the network when no
     * route of a lower metric is there, so traffic to it is dropped rather than sent to the default route.
     */
    public void addBlackholeRoute(final int destination, final int prefixLength, final int metric)
        throws NativeException {
        blackhole(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, destination, prefixLength, metric);
        request("add route blackhole " + Ipv4Text.format(destination) + "/" + prefixLength + " metric " + metric,
            errno -> errno == Errno.EEXIST ? "already there" : "");
    }

    public void deleteBlackholeRoute(final int destination, final int prefixLength, final int metric)
        throws NativeException {
        blackhole(RTM_DELROUTE, 0, destination, prefixLength, metric);
        request("delete route blackhole " + Ipv4Text.format(destination) + "/" + prefixLength + " metric " + metric,
            errno -> "");
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.closeQuietly(fd);
        }
    }

    private void beginLink(final int linkIndex, final int flags, final int change) {
        begin(RTM_NEWLINK, 0);
        final int body = length;
        message.buffer.put(body, (byte)0);
        message.buffer.putInt(body + 4, linkIndex);
        message.buffer.putInt(body + 8, flags);
        message.buffer.putInt(body + 12, change);
        length += IFINFOMSG_LENGTH;
    }

    private void route(final int type, final int flags, final int destination, final int prefixLength,
        final int linkIndex) {
        routeMessage(type, flags, destination, prefixLength, RTN_UNICAST);
        putIntAttribute(RTA_OIF, linkIndex);
    }

    private void blackhole(final int type, final int flags, final int destination, final int prefixLength,
        final int metric) {
        routeMessage(type, flags, destination, prefixLength, RTN_BLACKHOLE);
        putIntAttribute(RTA_PRIORITY, metric);
    }

    private void routeMessage(final int type, final int flags, final int destination, final int prefixLength,
        final int routeType) {
        begin(type, flags);
        final int body = length;
        message.buffer.put(body, (byte)SocketConstants.AF_INET);
        message.buffer.put(body + 1, (byte)prefixLength);
        message.buffer.put(body + 2, (byte)0);
        message.buffer.put(body + 3, (byte)0);
        message.buffer.put(body + 4, (byte)RT_TABLE_MAIN);
        message.buffer.put(body + 5, (byte)RTPROT_BOOT);
        message.buffer.put(body + 6, (byte)RT_SCOPE_UNIVERSE);
        message.buffer.put(body + 7, (byte)routeType);
        message.buffer.putInt(body + 8, 0);
        length += RTMSG_LENGTH;
        putAddressAttribute(RTA_DST, destination);
    }

    private void begin(final int type, final int flags) {
        message.clear(NLMSG_HEADER_LENGTH + 64);
        message.buffer.putShort(4, (short)type);
        message.buffer.putShort(6, (short)(NLM_F_REQUEST | NLM_F_ACK | flags));
        message.buffer.putInt(8, ++sequence);
        message.buffer.putInt(12, 0);
        length = NLMSG_HEADER_LENGTH;
    }

    /* struct rtattr { u16 rta_len; u16 rta_type; } followed by the value, padded to 4 bytes */
    private void putIntAttribute(final int type, final int value) {
        message.buffer.putShort(length, (short)8);
        message.buffer.putShort(length + 2, (short)type);
        message.buffer.putInt(length + 4, value);
        length += 8;
    }

    private void putAddressAttribute(final int type, final int address) {
        message.buffer.putShort(length, (short)8);
        message.buffer.putShort(length + 2, (short)type);
        // Addresses travel in network byte order whatever the host order.
        message.buffer.put(length + 4, (byte)(address >>> 24));
        message.buffer.put(length + 5, (byte)(address >>> 16));
        message.buffer.put(length + 6, (byte)(address >>> 8));
        message.buffer.put(length + 7, (byte)address);
        length += 8;
    }

    private void request(final String what, final Native.ErrnoHint hint) throws NativeException {
        message.buffer.putInt(0, length);
        final LibC libc = Native.LIBC;
        header.prepare(message.address, length, SOCKADDR_NL_LENGTH);
        Native.check(libc.sendmsg(fd, header.address(), 0), what);
        while (true) {
            header.prepare(reply.address, BUFFER_LENGTH, header.nameCapacity());
            final int received = Native.check(libc.recvmsg(fd, header.address(), 0), what);
            if (received < NLMSG_HEADER_LENGTH) {
                continue;
            }
            final int type = Short.toUnsignedInt(reply.buffer.getShort(4));
            final int replySequence = reply.buffer.getInt(8);
            if (type != NLMSG_ERROR || replySequence != sequence) {
                continue;
            }
            // struct nlmsgerr { int error; struct nlmsghdr msg; }: error is 0 for an ACK, else -errno.
            final int error = reply.buffer.getInt(NLMSG_HEADER_LENGTH);
            if (error != 0) {
                throw new NativeException(what, -error, hint.explain(-error));
            }
            return;
        }
    }
}
