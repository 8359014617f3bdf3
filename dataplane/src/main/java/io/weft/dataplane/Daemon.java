package io.weft.dataplane;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.weft.registry.Lease;
import io.weft.registry.LeaseRegistry;
import io.weft.registry.Log;
import io.weft.registry.NetworkConfig;
import io.weft.registry.SubnetEnvFile;
import io.weft.routing.Ipv4Prefix;
import io.weft.tun.EventFd;
import io.weft.tun.Netlink;

/**
 * One node's weftd: takes its lease from the registry, makes flannel0 and the overlay route, writes subnet.env and
 * the CNI config, follows the other nodes' leases into the route table and runs the data path lanes.
 * {@link #close()} undoes it in reverse order; the lease is kept, so a restart reuses the subnet.
 */
final class Daemon implements AutoCloseable
{
    private static final long FIRST_SNAPSHOT_TIMEOUT_S = 30;
    private static final int TUN_TRANSMIT_QUEUE_LENGTH = 10_000;

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final List<DataplaneCounters> counters = new ArrayList<>();
    private final DropReporter dropReporter = new DropReporter(counters);
    private final List<Lane> lanes = new ArrayList<>();
    private EventFd shutdown;
    private volatile boolean forwarding;
    private boolean closed;

    private Daemon()
    {
    }

    /**
     * Sets up and starts forwarding. Waits while the network config is missing or invalid (an operator may write it
     * after starting the DaemonSet); fails fast, naming the cause, on everything else.
     */
    static Daemon start(final WeftdConfig config) throws IOException, InterruptedException
    {
        final Daemon daemon = new Daemon();
        try
        {
            daemon.setUp(config);
            return daemon;
        }
        catch (final IOException | InterruptedException | RuntimeException e)
        {
            daemon.close();
            throw e;
        }
    }

    private void setUp(final WeftdConfig config) throws IOException, InterruptedException
    {
        final Underlay underlay = Underlay.discover(config.iface(), config.publicIp());
        for (int i = 0; i < config.lanes(); i++)
        {
            counters.add(new DataplaneCounters());
        }
        final LeaseRegistry registry = track(Registries.open(config));
        final ControlMetrics metrics = new ControlMetrics(counters, registry.stats());
        if (config.healthzPort() != 0)
        {
            // Serve /healthz early: 503 while waiting for the config tells an operator where weftd is stuck.
            track(new MetricsServer(config.healthzIp(), config.healthzPort(), metrics::toPrometheusText,
                () -> forwarding));
        }
        final NetworkConfig network = registry.awaitNetworkConfig();
        final LaneResources resources = track(LaneResources.open(config.tunName(), config.lanes(), config.offload(),
            underlay.publicIp(), network.backendPort(), config.socketBufferLength()));
        metrics.offloads(resources.offloads);
        // With virtio headers on the TUN, our writes can mark a checksum partial for the kernel: peers may leave it.
        final Lease ownLease = registry.acquire(underlay.publicIp(), SubnetEnvFile.readSubnet(config.subnetFile()),
            resources.offloads.tunTso);
        final Ipv4Prefix subnet = ownLease.subnet();
        Log.info("lease " + ownLease + ", network " + network.network() + ", underlay " + underlay.iface() +
            ", MTU " + underlay.mtu());

        configureLink(config.tunName(), subnet, network.network(), underlay.mtu(), resources.offloads.tunTso);
        if (config.ipMasq())
        {
            track(IpMasquerade.install(network.network(), subnet, config.iptablesResyncSeconds()));
        }
        SubnetEnvFile.write(config.subnetFile(), network.network(), subnet, underlay.mtu(), config.ipMasq());
        SubnetEnvFile.writeAtomically(config.cniConfDir().resolve(CniConflist.FILE_NAME),
            CniConflist.render(network.network(), subnet, underlay.mtu(), config.ipMasq()));

        final PeerTable peers = new PeerTable(network.backendPort());
        final RouteUpdater routeUpdater = new RouteUpdater(peers, subnet, () -> System.exit(1));
        metrics.routeUpdater(routeUpdater);
        registry.watch(routeUpdater);
        if (!routeUpdater.awaitFirstSnapshot(FIRST_SNAPSHOT_TIMEOUT_S, TimeUnit.SECONDS))
        {
            throw new IOException("no lease snapshot from the registry within " + FIRST_SNAPSHOT_TIMEOUT_S + " s");
        }

        shutdown = track(new EventFd());
        for (int i = 0; i < config.lanes(); i++)
        {
            lanes.add(new Lane(i, resources.queues.get(i), resources.receiveSockets.get(i),
                resources.sendSockets.get(i), resources.offloads, shutdown, peers, underlay.publicIp(), subnet,
                network.network().address(), counters.get(i), config.idle(), config.idlePollMicros(),
                config.batch()));
        }
        lanes.forEach(Lane::start);
        forwarding = true;
        Log.info("forwarding " + network.network() + " over UDP port " + network.backendPort() + " on " +
            config.tunName() + ": " + config.lanes() + " lane(s) of batch " + config.batch() + ", offloads " +
            resources.offloads +
            ", idle " + config.idle().name().toLowerCase(Locale.ROOT) +
            (config.idle() == EpollIdleStrategy.Mode.BACKOFF ? " (polls " + config.idlePollMicros() + " us)" : ""));
    }

    private void configureLink(final String tunName, final Ipv4Prefix subnet, final Ipv4Prefix network, final int mtu,
        final boolean superPackets) throws IOException
    {
        try (Netlink netlink = new Netlink())
        {
            final int link = Netlink.linkIndex(tunName);
            // flannel's layout: the subnet's network address as a /32 (no broadcast routes), the Network routed in.
            netlink.addAddress(link, subnet.address(), 32);
            netlink.setMtu(link, mtu);
            // A TUN's default 500-packet queue overflows in the bursts a sleeping reader meets; TCP then retransmits.
            netlink.setTransmitQueueLength(link, TUN_TRANSMIT_QUEUE_LENGTH);
            if (superPackets)
            {
                // The userspace splitter (like one UDP GSO send) takes at most 64 segments per super-packet.
                netlink.setGsoMaxSegments(link, TsoSplitter.MAX_SEGMENTS);
            }
            netlink.setUp(link);
            netlink.addRoute(network.address(), network.length(), link);
            opened.push(() -> removeRoute(tunName, network));
        }
    }

    DropReporter dropReporter()
    {
        return dropReporter;
    }

    /** Stops the lanes (waking them from epoll), removes the route and flannel0, closes every fd. Idempotent. */
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
        lanes.forEach(Lane::close);
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

    private static void removeRoute(final String tunName, final Ipv4Prefix network) throws IOException
    {
        try (Netlink netlink = new Netlink())
        {
            netlink.deleteRoute(network.address(), network.length(), Netlink.linkIndex(tunName));
        }
    }
}
