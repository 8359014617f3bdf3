package io.weft.dataplane.node;

import io.weft.auth.AuthHeader;
import io.weft.auth.Gcrypt;
import io.weft.auth.NodeKey;
import io.weft.dataplane.lane.DataplaneCounter;
import io.weft.dataplane.lane.DataplaneCounters;
import io.weft.dataplane.lane.Lane;
import io.weft.dataplane.lane.LaneContext;
import io.weft.dataplane.lane.LaneResources;
import io.weft.dataplane.lane.NodeAddresses;
import io.weft.dataplane.lane.NodeAuth;
import io.weft.dataplane.lane.PeerTable;
import io.weft.dataplane.lane.RouteUpdater;
import io.weft.log.Log;
import io.weft.registry.Lease;
import io.weft.registry.LeaseRegistry;
import io.weft.registry.NetworkConfig;
import io.weft.registry.SubnetEnvFile;
import io.weft.routing.Ipv4Prefix;
import io.weft.tun.EventFd;
import io.weft.tun.NativeException;
import io.weft.tun.UdpSocket;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One node's weftd: takes its lease from the registry, makes (or attaches to) flannel0 and the overlay route, writes
 * subnet.env and the CNI config, follows the other nodes' leases into the route table and runs the data path lanes.
 * {@link #close()} stops the lanes and closes what this process holds, in reverse order; what the kernel keeps for
 * the node stays: the persistent flannel0 with its address and routes, the --ip-masq and --iptables-forward-rules
 * chains, and the lease, so a restart finds them and pods' traffic is dropped at the device meanwhile, never routed
 * elsewhere.
 */
final class Daemon implements AutoCloseable {
    private static final long FIRST_SNAPSHOT_TIMEOUT_S = 30;
    private static final long METRICS_BIND_RETRY_S = 5;
    private static final long HANDED_OVER_TIMEOUT_S = 5;
    /**
     * Counters a weftd may seal with, per peer and lane, between offering a hand-over and stopping, or a successor
     * before it fails: far more than either seals within the hand-over's step timeouts.
     */
    private static final long SUCCESSOR_COUNTER_ROOM = 1L << 32;
    private static final SecureRandom EPOCHS = new SecureRandom();

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final List<DataplaneCounters> counters = new ArrayList<>();
    private final DropReporter dropReporter = new DropReporter(counters);
    /** With --jit-threads idle, once forwarding; read and tended by the main loop, the thread that starts us. */
    private JitThreads jitThreads;
    private final List<Lane> lanes = new ArrayList<>();
    /** Wakes this generation of lanes from epoll_wait when they are to stop. */
    private EventFd shutdown;
    private String tunName;
    private LaneResources resources;
    private OverlayLink link;
    private ControlMetrics metrics;
    private LaneFactory laneFactory;
    private volatile boolean forwarding;
    /** Set when a successor runs on our queues and sockets and this daemon closes for it. */
    private volatile boolean stoppingForSuccessor;
    /** Counted down once the successor has been told that we stopped. */
    private final CountDownLatch handOverDone = new CountDownLatch(1);
    private boolean closed;

    private final WeftdConfig config;
    /** The thread in {@link #start()}, interrupted by {@link #close()} so a stop never waits for etcd or a config. */
    private volatile Thread settingUp;
    /** Why forwarding cannot go on, set by other threads (the registry's); the main loop exits on it. */
    private volatile String fatal;
    /** The first counter the last hand-over offer gave a successor. */
    private long successorCounters;

    Daemon(final WeftdConfig config) {
        this.config = config;
    }

    /**
     * Sets up and starts forwarding. Waits while the network config is missing or invalid (an operator may write it
     * after starting the DaemonSet); fails fast, naming the cause, on everything else, Errors included, after closing
     * what it opened (flannel0 and its routes stay, as after a stop). A {@link #close()} from another thread (SIGTERM)
     * ends it with a {@link StoppedException}.
     */
    void start() throws IOException, InterruptedException {
        settingUp = Thread.currentThread();
        try {
            setUp(config);
        } catch (final OutOfMemoryError e) {
            close();
            throw new IOException(config.lanes() + " lane(s) need more direct memory than this JVM may use ("
                + e.getMessage() + "): lower --lanes or raise -XX:MaxDirectMemorySize", e);
        } catch (final IOException | InterruptedException | RuntimeException | Error e) {
            final boolean stopped = isClosed();
            close();
            if (stopped) {
                throw new StoppedException();
            }
            throw e;
        } finally {
            settingUp = null;
            Thread.interrupted(); // an interrupt meant for setup must not leak into the caller
        }
    }

    /** Thrown by {@link #start()} when a stop came during setup: nothing to report, the stop cleans up. */
    static final class StoppedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoppedException() {
            super("stopped during setup");
        }
    }

    private void setUp(final WeftdConfig config) throws IOException, InterruptedException {
        final StartPhases phases = new StartPhases();
        final Underlay underlay = Underlay.discover(config.ifaces(),
            config.ifaceRegexes().stream().map(Pattern::compile).toList(), config.ifaceCanReach(), config.publicIp());
        tunName = config.tunName();
        phases.ended("underlay");
        // A weftd forwarding here hands us its queues and sockets; ours start on them before it stops.
        final Handover handover = Handover.request(tunName);
        phases.ended("hand-over");
        if (handover != null) {
            track(handover);
        }
        final int laneCount = handover == null ? config.lanes() : handover.offer.lanes();
        if (handover != null && laneCount != config.lanes()) {
            Log.warn("keeping the " + laneCount + " lane(s) handed over instead of --lanes " + config.lanes() +
                ": a stop and start (not a hand-over) changes their number");
        }
        for (int i = 0; i < laneCount; i++) {
            counters.add(new DataplaneCounters());
        }
        final LeaseRegistry registry = track(Registries.open(config));
        phases.ended("registry");
        metrics = new ControlMetrics(counters, registry.stats());
        if (!config.httpEndpoints().isEmpty() && handover == null) {
            // Serve the probes early: /readyz says 503 and why while weftd waits, telling an operator where.
            serveMetrics();
            phases.ended("metrics");
        }
        final NetworkConfig network = registry.awaitNetworkConfig();
        phases.ended("network config");
        resources = track(handover != null
            ? LaneResources.adopt(tunName, handover.taken(), handover.offer.offloads())
            : LaneResources.open(tunName, laneCount, config.offload(), underlay.bindIp(), network.backendPort(),
                config.socketBufferLength()));
        phases.ended("device and sockets");
        metrics.offloads(resources.offloads);
        metrics.kernelQueues(new KernelQueueDrops(Stream.concat(resources.receiveSockets.stream(),
            resources.sendSockets.stream()).map(UdpSocket::fd).distinct().toList(), tunName));
        final NodeAuth auth = nodeAuth(config.auth(), laneCount, handover == null ? null : handover.offer);
        // With virtio headers on the TUN, our writes can mark a checksum partial for the kernel: peers may leave it.
        final Ipv4Prefix previousSubnet = SubnetEnvFile.readSubnet(config.subnetFile());
        final Lease ownLease = registry.acquire(underlay.publicIp(), previousSubnet,
            auth.backendData(resources.offloads.tunTso()), handover == null ? 0 : handover.offer.leaseId());
        final Ipv4Prefix subnet = ownLease.subnet();
        phases.ended("lease");
        // What the overlay may fill of the underlay's MTU: less an authentication header and tag per datagram.
        final int underlayMtu = underlay.mtu() - (auth.mode().enabled() ? AuthHeader.OVERHEAD : 0);
        Log.info("lease " + ownLease + ", network " + network.network() + ", underlay " + underlay.iface() +
            ", MTU " + underlay.mtu() + ", authentication " + auth);

        link = new OverlayLink(tunName, subnet, previousSubnet, network.network(), underlayMtu,
            resources.offloads.tunTso());
        link.configure();
        phases.ended("link");
        final IptablesChain masquerade = config.ipMasq()
            ? track(IpMasquerade.install(network.network(), subnet, config.iptablesResyncSeconds())) : null;
        final IptablesChain forward = config.iptablesForwardRules()
            ? track(ForwardRules.install(network.network(), subnet, config.iptablesResyncSeconds())) : null;
        phases.ended("iptables");
        SubnetEnvFile.write(config.subnetFile(), network.network(), subnet, underlayMtu, config.ipMasq());
        SubnetEnvFile.writeAtomically(config.cniConfDir().resolve(CniConflist.FILE_NAME),
            CniConflist.render(network.network(), subnet, underlayMtu, config.ipMasq()));

        final PeerTable peers = new PeerTable(network.backendPort(), auth, ownLease.publicIp());
        final RouteUpdater routeUpdater = new RouteUpdater(peers, ownLease, registry.stats(),
            () -> fatal = "the registry gave our lease back with another subnet");
        metrics.routeUpdater(routeUpdater);
        registry.watch(new LiveNetworkConfig(routeUpdater, link, masquerade, forward, config.subnetFile(),
            config.cniConfDir().resolve(CniConflist.FILE_NAME), network.network(), subnet, underlayMtu,
            config.ipMasq()));
        if (!routeUpdater.awaitFirstSnapshot(FIRST_SNAPSHOT_TIMEOUT_S, TimeUnit.SECONDS)) {
            throw new IOException("no lease snapshot from the registry within " + FIRST_SNAPSHOT_TIMEOUT_S + " s");
        }
        phases.ended("snapshot");

        // A lease file carries no keys: nothing to rotate.
        final KeyRotation rotation = auth.mode().enabled() && config.auth().keyRotationSeconds() > 0
            && config.staticLeases() == null ? track(KeyRotation.start(auth, peers, registry,
                config.auth().keyFile(), resources.offloads.tunTso(), config.auth().keyRotationSeconds())) : null;
        final LaneContext lanesShare = new LaneContext(peers,
            new NodeAddresses(underlay.publicIp(), subnet, network.network().address()), resources.offloads,
            config.batch(), config.idle(), config.idlePollMicros(), auth);
        laneFactory = (id, wakeUp) -> new Lane(id, resources.io(id), lanesShare, counters.get(id), wakeUp);
        synchronized (this) {
            if (closed) {
                throw new StoppedException();
            }
            startLanes();
            forwarding = true;
        }
        phases.ended("lanes");
        final boolean predecessorStopped = handover == null || handover.started();
        final HandoverServer server = HandoverServer.start(tunName, new HandoverServer.Handing() {
            @Override
            public HandoverServer.Offered offer() {
                synchronized (Daemon.this) {
                    if (rotation != null) {
                        rotation.pause();
                    }
                    // The successor seals under our keys from the counter past ours plus room for what our lanes
                    // seal until they stop; should it not take over, ours jump past its room (handOverFailed).
                    final long successorCounter = auth.maxCounter() + SUCCESSOR_COUNTER_ROOM;
                    successorCounters = successorCounter;
                    return new HandoverServer.Offered(HandoverOffer.of(resources, tunName, subnet,
                        registry.ownLeaseId(), auth.publicKey(), auth.epoch(), successorCounter,
                        NodeAuth.NONCE_LANE_HALF - auth.nonceLaneBase()),
                        resources.handOverFds());
                }
            }

            @Override
            public void handOverFailed() {
                // It may have sealed with counters from successorCounters on before it failed; never as many as this.
                auth.raiseCounters(successorCounters + SUCCESSOR_COUNTER_ROOM);
                if (rotation != null) {
                    rotation.resume();
                }
            }

            @Override
            public void stopForSuccessor() {
                Log.info("stopping for the new weftd, which forwards on the same queues and sockets");
                stoppingForSuccessor = true;
                close();
            }

            @Override
            public void handedOver() {
                handOverDone.countDown();
            }
        });
        if (server != null) {
            track(server);
        } else if (!predecessorStopped) {
            // It still listens, so it still forwards: two weftds on one node would each renew, resync and rewrite.
            throw new IOException("the weftd we took over from did not stop after our lanes started (did it give up"
                + " waiting for us?): exiting, so that it stays the one forwarding");
        }
        phases.ended("hand-over socket");
        if (handover != null && !config.httpEndpoints().isEmpty()) {
            serveMetrics();
            phases.ended("metrics");
        }
        Log.info("forwarding " + network.network() + " over UDP port " + network.backendPort() + " on " +
            config.tunName() + ": " + laneCount + " lane(s) of batch " + config.batch() + ", offloads " +
            resources.offloads +
            ", idle " + config.idle().name().toLowerCase(Locale.ROOT) +
            (config.idle().pollsForAWindow() ? " (polls " + config.idlePollMicros() + " us)" : "") + "; " +
            phases.summary());
        if (config.jitThreadsIdle()) {
            try {
                jitThreads = JitThreads.start();
            } catch (RuntimeException e) {
                Log.warn("--jit-threads idle: " + e.getMessage() + ": the JIT compiler keeps the normal policy");
            }
        } else {
            Log.info("JIT compiler threads keep the normal policy (--jit-threads normal)");
        }
    }

    /**
     * This start's side of --auth: the node key, made on first start, and a new epoch, so that this process's
     * counters, which start at 0, run under traffic keys no earlier process used.
     */
    private static NodeAuth nodeAuth(final WeftdConfig.Auth auth, final int lanes, final HandoverOffer offer)
        throws IOException {
        if (!auth.mode().enabled()) {
            return NodeAuth.OFF;
        }
        if (!Gcrypt.isAvailable()) {
            // Before our lease says we authenticate, not when the first lane starts.
            throw new IOException("--auth " + auth.mode().name().toLowerCase(Locale.ROOT) + ": "
                + Gcrypt.unavailabilityCause() + "; or give --auth=off to trust the outer source address, as flanneld"
                + " does");
        }
        final NodeKey key = NodeKey.loadOrCreate(auth.keyFile());
        if (offer != null && offer.hasAuth() && offer.authKey().equals(key.publicKeyBase64())) {
            // The other nodes keep their keys for us: no lease change, nothing they cannot open meanwhile.
            Log.info("authentication: keeping the epoch of the weftd we take over from, counters from " +
                Long.toHexString(offer.authCounter()));
            return new NodeAuth(auth.mode(), auth.encrypt(), key, offer.authEpoch(), lanes, offer.authCounter(),
                offer.authNonceLanes());
        }
        // Random, not a clock: a clock stepped back could give a start the epoch, so the keys, of an earlier one.
        return new NodeAuth(auth.mode(), auth.encrypt(), key, 1 + (EPOCHS.nextLong() >>> 1), lanes, 0, 0);
    }

    /**
     * Serves /metrics and the probes where {@link WeftdConfig#httpEndpoints()} says. After a hand-over the old weftd
     * may take a moment to free a port: each is tried again for a few seconds, then a failure as at start.
     */
    private void serveMetrics() throws IOException, InterruptedException {
        for (final WeftdConfig.HttpEndpoint endpoint : config.httpEndpoints()) {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(METRICS_BIND_RETRY_S);
            while (true) {
                try {
                    track(new MetricsServer(endpoint.ip(), endpoint.port(),
                        endpoint.withMetrics() ? metrics::toPrometheusText : null,
                        () -> metrics.unreadiness(forwarding), endpoint.flags()));
                    break;
                } catch (final IOException e) {
                    if (System.nanoTime() > deadlineNs) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    /**
     * Called by the main loop once a second. When a lane has ended because its TUN queue was detached (someone
     * deleted flannel0: reads fail with EBADFD for ever), stops the other lanes, makes the device again as at start
     * (queues with the same offloads, address, MTU, queue length, route) and starts new lanes on it. The sockets, the
     * lease, the routes to peers and the counters stay; /readyz says 503 in between.
     *
     * @throws IOException naming the device when it cannot be made again: weftd cannot forward without it; or when
     *                     a lane died of an Error: its share of the flows would go unforwarded while /readyz said
     *                     200, and a restart is the way back.
     */
    synchronized void superviseLanes() throws IOException {
        if (closed) {
            return;
        }
        if (fatal != null) {
            throw new IOException(fatal);
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

    /**
     * After the main loop saw this daemon closed: true when it closed for a successor, once the successor has been
     * told (so that ending the process does not cut that answer off); false when it was stopped.
     */
    boolean awaitHandedOver() throws InterruptedException {
        if (!stoppingForSuccessor) {
            return false;
        }
        handOverDone.await(HANDED_OVER_TIMEOUT_S, TimeUnit.SECONDS);
        return true;
    }

    String tunName() {
        return config.tunName();
    }

    DropReporter dropReporter() {
        return dropReporter;
    }

    /** Called by the main loop: the JIT compiler's threads back to the normal policy while starved (--jit-threads). */
    void tendJitThreads() {
        if (jitThreads != null) {
            try {
                jitThreads.tend();
            } catch (RuntimeException e) {
                // Optional: a kernel whose statistics we cannot read must not end forwarding.
                Log.warn("--jit-threads idle: " + e.getMessage() + ": the watch of the JIT compiler ends, and its"
                    + " threads are back under the normal policy");
                jitThreads.giveUp();
                jitThreads = null;
            }
        }
    }

    /**
     * Stops the lanes (waking them from epoll) and closes every fd; flannel0, its routes and the iptables chains stay
     * in the kernel (see {@link Cleanup} for their removal). Idempotent; safe
     * from another thread while {@link #start()} runs: setup is interrupted and what it opens after this is closed.
     */
    @Override
    public void close() {
        final Thread setup = settingUp;
        if (setup != null && setup != Thread.currentThread()) {
            setup.interrupt();
        }
        closeResources();
    }

    private synchronized void closeResources() {
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

    synchronized boolean isClosed() {
        return closed;
    }

    /** Remembers a resource for {@link #close()}; once closed, closes it at once and ends setup. */
    private synchronized <T extends AutoCloseable> T track(final T resource) {
        if (closed) {
            try {
                resource.close();
            } catch (final Exception e) {
                Log.warn("while shutting down: " + e.getMessage());
            }
            throw new StoppedException();
        }
        opened.push(resource);
        return resource;
    }

    @FunctionalInterface
    private interface LaneFactory {
        Lane create(int id, EventFd wakeUp) throws NativeException;
    }
}
