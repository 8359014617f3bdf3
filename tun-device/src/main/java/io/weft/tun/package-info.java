/**
 * The kernel I/O facade of weft, through jnr-ffi: despite the module's name it holds every system call the
 * dataplane makes, not only the TUN device. {@code TunDevice} (TUNSETIFF, multi-queue, IFF_VNET_HDR,
 * TUNSETOFFLOAD), {@code UdpSocket} with {@code SendBatch}/{@code ReceiveBatch} (sendmmsg/recvmmsg, UDP_SEGMENT,
 * UDP_GRO; {@code GsoRun} decides which datagrams share one UDP GSO send), {@code Netlink} (rtnetlink: MTU,
 * address, link up, routes), {@code Epoll} and {@code EventFd}. All native declarations live in the package-private
 * {@code LibC}; {@code Native} turns -1 and errno into a count, 0 for EAGAIN, or a
 * {@link io.weft.tun.NativeException} naming the call. It knows nothing of routes, peers or etcd. Its test jar holds
 * the stand-ins other modules test over without root: {@code TunStandIn} (a socketpair as a TUN queue) and
 * {@code LoopbackUdp}.
 */
package io.weft.tun;
