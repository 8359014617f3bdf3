package io.weft.dataplane;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SystemNanoClock;

import io.weft.registry.Log;
import io.weft.routing.Ipv4Prefix;
import io.weft.tun.Epoll;
import io.weft.tun.EventFd;
import io.weft.tun.NativeException;
import io.weft.tun.TunDevice;
import io.weft.tun.UdpSocket;

/**
 * One lane of the data path: a TUN fd and a UDP socket, each drained by its own thread ({@link TunReader} out,
 * {@link UdpReceiver} in). Lanes share only the route snapshot and the counters; each idles in its own epoll, which
 * also watches the daemon's shutdown eventfd.
 */
final class Lane implements AutoCloseable
{
    private static final int ICMP_UNREACHABLE_PER_SECOND = 100;

    private final Epoll tunEpoll;
    private final Epoll udpEpoll;
    private final AgentRunner tunReaderRunner;
    private final AgentRunner udpReceiverRunner;

    /** @param icmpSource the address ICMP errors come from (see {@link IcmpUnreachable}). */
    Lane(final int id, final TunDevice tun, final UdpSocket receiveSocket, final UdpSocket sendSocket,
        final LaneResources.OffloadStatus offloads, final EventFd shutdown, final PeerTable peers,
        final int ownPublicIp, final Ipv4Prefix ownSubnet, final int icmpSource, final DataplaneCounters counters,
        final EpollIdleStrategy.Mode idle, final int batch)
        throws NativeException
    {
        tunEpoll = new Epoll();
        udpEpoll = new Epoll();
        try
        {
            tunEpoll.add(tun.fd(), Epoll.EPOLLIN);
            tunEpoll.add(shutdown.fd(), Epoll.EPOLLIN);
            udpEpoll.add(receiveSocket.fd(), Epoll.EPOLLIN);
            udpEpoll.add(shutdown.fd(), Epoll.EPOLLIN);
        }
        catch (final NativeException e)
        {
            tunEpoll.close();
            udpEpoll.close();
            throw e;
        }
        final TunReader tunReader = new TunReader(tun, sendSocket, peers, ownPublicIp, counters,
            new IcmpUnreachable(icmpSource, ICMP_UNREACHABLE_PER_SECOND), new SystemNanoClock(), "tun-reader-" + id,
            offloads.tunTso, offloads.udpGso, batch);
        final UdpReceiver udpReceiver = new UdpReceiver(receiveSocket, tun, peers, ownSubnet, counters,
            "udp-receiver-" + id, offloads.tunTso, offloads.tunUso, batch);
        tunReaderRunner = new AgentRunner(new EpollIdleStrategy(tunEpoll, idle), Lane::onAgentError, null, tunReader);
        udpReceiverRunner =
            new AgentRunner(new EpollIdleStrategy(udpEpoll, idle), Lane::onAgentError, null, udpReceiver);
    }

    void start()
    {
        AgentRunner.startOnThread(tunReaderRunner);
        AgentRunner.startOnThread(udpReceiverRunner);
    }

    /** Stops both threads; the caller signals the shutdown eventfd first so neither stays blocked in epoll_wait. */
    @Override
    public void close()
    {
        tunReaderRunner.close();
        udpReceiverRunner.close();
        tunEpoll.close();
        udpEpoll.close();
    }

    private static void onAgentError(final Throwable error)
    {
        Log.warn("data path error: " + error);
    }
}
