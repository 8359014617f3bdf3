package io.weft.dataplane;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SystemNanoClock;

import io.weft.registry.Lease;
import io.weft.registry.NetworkConfig;
import io.weft.registry.StaticLeaseFile;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import io.weft.tun.Epoll;
import io.weft.tun.EventFd;
import io.weft.tun.Netlink;
import io.weft.tun.TunDevice;
import io.weft.tun.UdpSocket;

/**
 * One node's weftd: takes its lease, makes flannel0 and the overlay route, writes subnet.env and the CNI config,
 * then runs the two directions of the data path on their own threads. {@link #close()} undoes it in reverse order
 * (the lease is kept, so a restart reuses the subnet).
 */
final class Daemon implements AutoCloseable
{
    private static final int ICMP_UNREACHABLE_PER_SECOND = 100;

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final DataplaneCounters counters = new DataplaneCounters();
    private final DropReporter dropReporter = new DropReporter(counters);
    private AgentRunner tunReaderRunner;
    private AgentRunner udpReceiverRunner;
    private EventFd shutdown;
    private volatile boolean forwarding;
    private boolean closed;

    private Daemon()
    {
    }

    static Daemon start(final WeftdConfig config) throws IOException
    {
        final Daemon daemon = new Daemon();
        try
        {
            daemon.setUp(config);
            return daemon;
        }
        catch (final IOException | RuntimeException e)
        {
            daemon.close();
            throw e;
        }
    }

    private void setUp(final WeftdConfig config) throws IOException
    {
        final StaticLeaseFile.Contents registry = StaticLeaseFile.load(config.staticLeases());
        registry.skipped().forEach(reason -> Log.warn("skipped lease " + reason));
        final NetworkConfig network = registry.config();
        final Underlay underlay = Underlay.discover(config.iface(), config.publicIp());
        final Lease ownLease = registry.leases().stream()
            .filter(lease -> lease.publicIp() == underlay.publicIp())
            .findFirst()
            .orElseThrow(() -> new IOException("no lease with PublicIP " + Ipv4Addresses.format(underlay.publicIp()) +
                " in " + config.staticLeases()));
        final Ipv4Prefix subnet = ownLease.subnet();
        Log.info("lease " + ownLease + ", network " + network.network() + ", underlay " + underlay.iface() +
            ", MTU " + underlay.mtu());

        // Bind first: a port in use is the most common clash (flanneld still running) and nothing is changed yet.
        final UdpSocket socket = track(UdpSocket.bind(underlay.publicIp(), network.backendPort(), false,
            config.socketBufferLength(), config.socketBufferLength()));
        final TunDevice tun = track(TunDevice.open(config.tunName(), 0));
        try (Netlink netlink = new Netlink())
        {
            final int link = Netlink.linkIndex(tun.name());
            netlink.addAddress(link, subnet.address(), 32);
            netlink.setMtu(link, underlay.mtu());
            netlink.setUp(link);
            netlink.addRoute(network.network().address(), network.network().length(), link);
            opened.push(() -> removeRoute(tun.name(), network.network()));
        }
        NodeFiles.writeAtomically(config.subnetFile(),
            NodeFiles.subnetEnv(network.network(), subnet, underlay.mtu(), config.ipMasq()));
        NodeFiles.writeAtomically(config.cniConfDir().resolve(NodeFiles.CONFLIST_NAME),
            NodeFiles.cniConflist(network.network(), subnet, underlay.mtu(), config.ipMasq()));

        final PeerTable peers = new PeerTable(network.backendPort());
        peers.replaceAll(registry.leases());
        Log.info("routes: " + registry.leases());

        shutdown = track(new EventFd());
        final Epoll tunEpoll = track(new Epoll());
        tunEpoll.add(tun.fd(), Epoll.EPOLLIN);
        tunEpoll.add(shutdown.fd(), Epoll.EPOLLIN);
        final Epoll udpEpoll = track(new Epoll());
        udpEpoll.add(socket.fd(), Epoll.EPOLLIN);
        udpEpoll.add(shutdown.fd(), Epoll.EPOLLIN);

        final TunReader tunReader = new TunReader(tun, socket, peers, underlay.publicIp(), counters,
            new IcmpUnreachable(network.network().address(), ICMP_UNREACHABLE_PER_SECOND), new SystemNanoClock(), "tun-reader");
        final UdpReceiver udpReceiver = new UdpReceiver(socket, tun, peers, subnet, counters, "udp-receiver");
        tunReaderRunner = new AgentRunner(new EpollIdleStrategy(tunEpoll), Daemon::onAgentError, null, tunReader);
        udpReceiverRunner = new AgentRunner(new EpollIdleStrategy(udpEpoll), Daemon::onAgentError, null, udpReceiver);
        AgentRunner.startOnThread(tunReaderRunner);
        AgentRunner.startOnThread(udpReceiverRunner);
        forwarding = true;

        if (config.healthzPort() != 0)
        {
            track(new MetricsServer(config.healthzIp(), config.healthzPort(), counters::toPrometheusText,
                () -> forwarding));
        }
        Log.info("forwarding " + network.network() + " over UDP port " + network.backendPort() + " on " + tun.name());
    }

    DropReporter dropReporter()
    {
        return dropReporter;
    }

    /** Stops the threads (waking them from epoll), removes the route and flannel0, closes every fd. Idempotent. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        forwarding = false;
        if (shutdown != null)
        {
            shutdown.signal();
        }
        closeRunner(tunReaderRunner);
        closeRunner(udpReceiverRunner);
        while (!opened.isEmpty())
        {
            try
            {
                opened.pop().close();
            }
            catch (final Exception e)
            {
                Log.warn("while shutting down: " + e.getMessage());
            }
        }
    }

    private <T extends AutoCloseable> T track(final T resource)
    {
        opened.push(resource);
        return resource;
    }

    private static void closeRunner(final AgentRunner runner)
    {
        if (runner != null)
        {
            runner.close();
        }
    }

    private static void removeRoute(final String tunName, final Ipv4Prefix network) throws IOException
    {
        try (Netlink netlink = new Netlink())
        {
            netlink.deleteRoute(network.address(), network.length(), Netlink.linkIndex(tunName));
        }
    }

    private static void onAgentError(final Throwable error)
    {
        Log.warn("data path error: " + error);
    }
}
