package io.weft.tun;

/**
 * UDP sockets on loopback addresses (all of 127.0.0.0/8 is local, no set-up or root needed) standing in for the
 * underlay in tests, as wireguard-go's conn/bindtest: bound to port 0, they say which port the kernel gave them.
 */
public final class LoopbackUdp {
    private LoopbackUdp() {
    }

    /** A socket bound to {@code ipv4Address:port}, kernel buffer sizes, no SO_REUSEPORT. */
    public static UdpSocket bind(final int ipv4Address, final int port) throws NativeException {
        return UdpSocket.bind(ipv4Address, port, false, 0, 0);
    }

    /** The port {@code socket} is bound to. */
    public static int port(final UdpSocket socket) throws NativeException {
        return socket.localPort();
    }
}
