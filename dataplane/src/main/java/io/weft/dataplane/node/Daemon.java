package io.weft.dataplane.node;

import io.weft.dataplane.lane.DataplaneCounter;
import io.weft.dataplane.lane.DataplaneCounters;
import io.weft.dataplane.lane.EpollIdleStrategy;
import io.weft.dataplane.lane.Lane;
import io.weft.dataplane.lane.LaneResources;
import io.weft.dataplane.lane.PeerTable;
import io.weft.dataplane.lane.RouteUpdater;
import io.weft.registry.Lease;
import io.weft.registry.LeaseRegistry;
import io.weft.registry.Log;
import io.weft.registry.NetworkConfig;
import io.weft.registry.SubnetEnvFile;
import io.weft.routing.Ipv4Prefix;
import io.weft.tun.EventFd;
import io.weft.tun.NativeException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One node's weftd: takes its lease from the registry, makes flannel0 and the overlay route, writes subnet.env and
 * the CNI config, follows the other nodes' leases into the route table and runs the data path lanes.
 * {@link #close()} undoes it in reverse order; the lease is kept, so a restart reuses the subnet.
 */
final class Daemon implements AutoCloseable {
    private static final long FIRST_SNAPSHOT_TIMEOUT_S = 30;

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final List<DataplaneCounters> counters = new ArrayList<>();
    private final DropReporter dropReporter = new DropReporter(counters);
    private final List<Lane> lanes = new ArrayList<>();
    /** Wakes this generation of lanes from epoll_wait when they are to stop. */
    private EventFd shutdown;
    private String tunName;
    private LaneResources resources;
    private OverlayLink link;
    private ControlMetrics metrics;
    private LaneFactory laneFactory;
    private volatile boolean forwarding;
    private boolean closed;

    private Daemon() {
    }

    /**
     * Sets up and starts forwarding. Waits while the network config is missing or invalid (an operator may write it
     * after starting the DaemonSet); fails fast, naming the cause, on everything else.
     */
    static Daemon start(final WeftdConfig config) throws IOException, InterruptedException {
        final Daemon daemon = new Daemon();
        try {
            daemon.setUp(config);
            return daemon;
        } catch (final IOException | InterruptedException | RuntimeException e) {
            daemon.close();
            throw e;
        }
    }

    private void setUp(final WeftdConfig config) throws IOException, InterruptedException {
        final Underlay underlay = Underlay.discover(config.iface(), config.publicIp());
        for (int i = 0; i < config.lanes(); i++) {
            counters.add(new DataplaneCounters());
        }
        final LeaseRegistry registry = track(Registries.open(config));
        metrics = new ControlMetrics(counters, registry.stats());
        if (config.healthzPort() != 0) {
            // Serve /healthz early: 503 while waiting for the config tells an operator where weftd is stuck.
            track(new MetricsServer(config.healthzIp(), config.healthzPort(), metrics::toPrometheusText,
                () -> metrics.unreadiness(forwarding)));
        }
        final NetworkConfig network = registry.awaitNetworkConfig();
        tunName = config.tunName();
        resources = track(LaneResources.open(tunName, config.lanes(), config.offload(),
            underlay.publicIp(), network.backendPort(), config.socketBufferLength()));
        metrics.offloads(resources.offloads);
        // With virtio headers on the TUN, our writes can mark a checksum partial for the kernel: peers may leave it.
        final Lease ownLease = registry.acquire(underlay.publicIp(), SubnetEnvFile.readSubnet(config.subnetFile()),
            resources.offloads.tunTso());
        final Ipv4Prefix subnet = ownLease.subnet();
        Log.info("lease " + ownLease + ", network " + network.network() + ", underlay " + underlay.iface() +
            ", MTU " + underlay.mtu());

        link = new OverlayLink(tunName, subnet, network.network(), underlay.mtu(), resources.offloads.tunTso());
        link.configure();
        track(link);
        final IpMasquerade masquerade = config.ipMasq()
            ? track(IpMasquerade.install(network.network(), subnet, config.iptablesResyncSeconds())) : null;
        SubnetEnvFile.write(config.subnetFile(), network.network(), subnet, underlay.mtu(), config.ipMasq());
        SubnetEnvFile.writeAtomically(config.cniConfDir().resolve(CniConflist.FILE_NAME),
            CniConflist.render(network.network(), subnet, underlay.mtu(), config.ipMasq()));

        final PeerTable peers = new PeerTable(network.backendPort());
        final RouteUpdater routeUpdater = new RouteUpdater(peers, ownLease, registry.stats(), () -> System.exit(1));
        metrics.routeUpdater(routeUpdater);
        registry.watch(new LiveNetworkConfig(routeUpdater, link, masquerade, config.subnetFile(),
            config.cniConfDir().resolve(CniConflist.FILE_NAME), network.network(), subnet, underlay.mtu(),
            config.ipMasq()));
        if (!routeUpdater.awaitFirstSnapshot(FIRST_SNAPSHOT_TIMEOUT_S, TimeUnit.SECONDS)) {
            throw new IOException("no lease snapshot from the registry within " + FIRST_SNAPSHOT_TIMEOUT_S + " s");
        }

        laneFactory = (id, wakeUp) -> new Lane(id, resources.queues.get(id), resources.receiveSockets.get(id),
            resources.sendSockets.get(id), resources.offloads, wakeUp, peers, underlay.publicIp(), subnet,
            network.network().address(), counters.get(id), config.idle(), config.idlePollMicros(), config.batch());
        startLanes();
        forwarding = true;
        Log.info("forwarding " + network.network() + " over UDP port " + network.backendPort() + " on " +
            config.tunName() + ": " + config.lanes() + " lane(s) of batch " + config.batch() + ", offloads " +
            resources.offloads +
            ", idle " + config.idle().name().toLowerCase(Locale.ROOT) +
            (config.idle() == EpollIdleStrategy.Mode.BACKOFF ? " (polls " + config.idlePollMicros() + " us)" : ""));
    }

    /**
     * Called by the main loop once a second. When a lane has ended because its TUN queue was detached (someone
     * deleted flannel0: reads fail with EBADFD for ever), stops the other lanes, makes the device again as at start
     * (queues with the same offloads, address, MTU, queue length, route) and starts new lanes on it. The sockets, the
     * lease, the routes to peers and the counters stay; /healthz says 503 in between.
     *
     * @throws IOException naming the device when it cannot be made again: weftd cannot forward without it; or when
     *                     a lane died of an Error: its share of the flows would go unforwarded while /healthz said
     *                     200, and a restart is the way back.
     */
    synchronized void superviseLanes() throws IOException {
        if (closed) {
            return;
        }
        for (int i = 0; i < lanes.size(); i++) {
            final Throwable fatal = lanes.get(i).fatalError();
            if (fatal != null) {
                throw new IOException("lane " + i + " stopped: " + fatal, fatal);
            }
        }
        if (resources.offloads.udpGso() && DataplaneCounters.sum(counters, DataplaneCounter.UDP_GSO_STOPPED) > 0) {
            resources.offloads.stopUdpGso();
        }
        if (!anyQueueDetached()) {
            return;
        }
        forwarding = false;
        Log.warn(tunName + " was deleted under weftd (its TUN queues fail with EBADFD): making it again");
        stopLanes();
        try {
            resources.reopenQueues(tunName);
            link.configure();
            startLanes();
        } catch (final IOException e) {
            throw new IOException("cannot make " + tunName + " again after it was deleted: " + e.getMessage(), e);
        }
        metrics.deviceMadeAgain();
        forwarding = true;
        Log.info(tunName + " made again: forwarding");
    }

    /** Called by the main loop once a second: see {@link OverlayLink#addRouteIfGone()}. */
    synchronized void addRouteIfGone() {
        if (!closed && forwarding && link.addRouteIfGone()) {
            metrics.routeAddedAgain();
            Log.warn("the route " + link + " had gone (was the link set down and up?): added it again");
        }
    }

    private boolean anyQueueDetached() {
        for (final Lane lane : lanes) {
            if (lane.queueDetached()) {
                return true;
            }
        }
        return false;
    }

    private void startLanes() throws NativeException {
        shutdown = new EventFd();
        for (int i = 0; i < counters.size(); i++) {
            lanes.add(laneFactory.create(i, shutdown));
        }
        lanes.forEach(Lane::start);
    }

    /** Wakes the lanes from epoll_wait, waits for their threads to end and closes their fds. */
    private void stopLanes() {
        if (shutdown == null) {
            return;
        }
        shutdown.signal();
        lanes.forEach(Lane::close);
        lanes.clear();
        shutdown.close();
        shutdown = null;
    }

    DropReporter dropReporter() {
        return dropReporter;
    }

    /** Stops the lanes (waking them from epoll), removes the route and flannel0, closes every fd. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        forwarding = false;
        stopLanes();
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (final Exception e) {
                Log.warn("while shutting down: " + e.getMessage());
            }
        }
    }

    private <T extends AutoCloseable> T track(final T resource) {
        opened.push(resource);
        return resource;
    }

    @FunctionalInterface
    private interface LaneFactory {
        Lane create(int id, EventFd wakeUp) throws NativeException;
    }
}
