package io.weft.registry.kube;


import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.weft.log.Log;
import io.weft.log.OncePerKeyLog;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.registry.Json;
import io.weft.registry.LeaseListener;
import io.weft.registry.LeaseRegistry;
import io.weft.registry.NetworkConfig;
import io.weft.registry.RegistryStats;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * flanneld's Kubernetes subnet manager: the network config from net-conf.json, our subnet the node's podCIDR (never
 * allocated here), our PublicIP and backend in the node's annotations, every other node's lease read from its own.
 * Our node is kept so: were its annotations removed (or the node deleted and registered again) they are written
 * again; were its podCIDR changed, the listener learns our lease came back with another subnet.
 */
public final class KubeLeaseRegistry implements LeaseRegistry {

    private final KubeRegistryConfig config;
    private final NodeAnnotations names;
    private final KubernetesClient client;
    private final OwnNode ownNode;
    private final NodeInformer nodes;
    private final RegistryStats stats = new RegistryStats();
    private final OncePerKeyLog waitLog = new OncePerKeyLog();
    private final OncePerKeyLog warnLog = new OncePerKeyLog();
    private volatile NetworkConfig network;
    private volatile Lease ownLease;
    private volatile BackendData ownBackendData = BackendData.NONE;
    /** The longest wait between two failed writes to our node at one version of it. */
    private static final Duration MAX_OWN_NODE_BACKOFF = Duration.ofMinutes(5);
    private volatile LeaseListener listener;
    private NodeWatcher watcher;
    /** The watcher thread's: when our node's writes were last tried, against which version of it, and when next. */
    private final OwnNodeWrites ownNodeWrites;
    private boolean subnetChangeReported;
    /**
     * NetworkUnavailable is still to be cleared: the last clear failed ({@link #writeOwnNode}). Written by the thread
     * that acquires, then by the watcher's, which starts after it.
     */
    private volatile boolean clearOwed;
    private volatile boolean closed;

    private KubeLeaseRegistry(final KubeRegistryConfig config, final KubernetesClient client) {
        this.config = config;
        this.names = NodeAnnotations.withPrefix(config.annotationPrefix());
        this.client = client;
        this.ownNode = new OwnNode(client, config.nodeName(), names);
        this.nodes = new NodeInformer(client, config.resyncPeriod().toMillis(), names, warnLog);
        this.ownNodeWrites = new OwnNodeWrites(config.retryInterval().toNanos(), MAX_OWN_NODE_BACKOFF.toNanos());
    }

    /** Builds the client; nothing is sent to the API server until a method needs it. */
    public static KubeLeaseRegistry open(final KubeRegistryConfig config) throws IOException {
        final KubeLeaseRegistry registry = new KubeLeaseRegistry(config, KubeClients.build(config));
        Log.info("kube subnet manager for node " + config.nodeName() + " via " + config.describeApi() +
            ", annotations " + registry.names.kubeSubnetManager().replace("kube-subnet-manager", "*"));
        return registry;
    }

    /** Reads net-conf.json, waiting (with one log line per problem) while it is missing or invalid. */
    @Override
    public NetworkConfig awaitNetworkConfig() throws InterruptedException {
        while (true) {
            checkOpen();
            try {
                final NetworkConfig read = NetworkConfig.parse(Json.read(Files.readString(config.netConfPath())));
                network = read;
                return read;
            } catch (final IOException | IllegalArgumentException e) {
                warnLog.warn("net-conf", "waiting for a valid network config in " + config.netConfPath() + ": " +
                    e.getMessage());
            }
            Thread.sleep(config.retryInterval().toMillis());
        }
    }

    /**
     * Waits for the node list, for our node and for its podCIDR (each with a log line), writes our annotations and
     * clears NetworkUnavailable; blocks while the API server cannot be reached. {@code previousSubnet} cannot
     * matter: the subnet is the podCIDR.
     *
     * @throws IOException when the podCIDR is outside the Network, or the API server refuses a write.
     */
    @Override
    public Lease acquire(final int publicIp, final Ipv4Prefix previousSubnet, final BackendData backendData)
        throws IOException, InterruptedException {
        final NetworkConfig current = network;
        if (current == null) {
            throw new IllegalStateException("awaitNetworkConfig() first: the podCIDR is checked against it");
        }
        nodes.start();
        final Node node = awaitPodCidr();
        final Ipv4Prefix subnet = NodeLeases.podCidr(node);
        if (!NodeLeases.inside(current, subnet)) {
            throw new IOException("node " + config.nodeName() + "'s podCIDR " + subnet + " is not inside Network " +
                current.network() + " of " + config.netConfPath());
        }
        ownBackendData = backendData;
        final Lease lease = new Lease(subnet, publicIp, backendData);
        ownLease = lease;
        writeUntilDone(() -> writeOwnNode(node, lease));
        return lease;
    }

    @Override
    public synchronized void watch(final LeaseListener newListener) {
        if (watcher != null || closed) {
            throw new IllegalStateException(closed ? "registry closed" : "already watching");
        }
        final NetworkConfig current = network;
        if (current == null) {
            throw new IllegalStateException("awaitNetworkConfig() first: podCIDRs are checked against it");
        }
        listener = newListener;
        nodes.start();
        watcher = new NodeWatcher(nodes, names, current, config.nodeName(), this::keepOwnNode, newListener, stats,
            warnLog);
        watcher.start();
    }

    /**
     * Our node's backend-data annotation says {@code backendData} from now on: written here once; if that fails, the
     * watcher writes it at its next look at our node, as it writes back annotations our node lacks.
     */
    @Override
    public void advertise(final BackendData backendData) {
        final Lease lease = ownLease;
        if (lease == null) {
            throw new IllegalStateException("acquire() first: there is no node of ours to annotate");
        }
        ownBackendData = backendData;
        final Lease updated = new Lease(lease.subnet(), lease.publicIp(), backendData);
        ownLease = updated;
        try {
            final Node node = nodes.get(config.nodeName());
            if (node == null) {
                warnLog.warn("own-node", "node " + config.nodeName() + " is not in the API server (deleted?): its "
                    + "annotations will be written again when it is registered again");
                return;
            }
            final Map<String, String> wanted = ownNode.wanted(node, updated.publicIp(), backendData);
            if (!OwnNode.carries(node, wanted)) {
                ownNode.annotate(wanted);
                Log.info("annotated node " + config.nodeName() + ": " + wanted);
            }
        } catch (final KubernetesClientException e) {
            warnLog.warn("write", "cannot write to node " + config.nodeName() + ": " + e.getMessage() +
                "; retrying");
        }
    }

    @Override
    public RegistryStats stats() {
        return stats;
    }

    /** Stops watching and closes the client; the annotations stay on the node, as flanneld leaves them. */
    @Override
    public void close() {
        final NodeWatcher stopping;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stopping = watcher;
        }
        if (stopping != null) {
            stopping.close();
        }
        nodes.close();
        client.close();
    }

    /** For tests: whether the node cache is complete. */
    boolean nodesListed() {
        return nodes.synced();
    }

    private Node awaitPodCidr() throws InterruptedException, IOException {
        for (int look = 0; ; look++) {
            checkOpen();
            if (!nodes.synced()) {
                if (look == 0) {
                    Thread.sleep(config.retryInterval().toMillis()); // the first list is no news
                    continue;
                }
                waitLog.warn("acquire", "waiting for the node list from the API server (" + config.describeApi() +
                    ")");
            } else {
                final Node node = nodes.get(config.nodeName());
                if (node == null) {
                    waitLog.warn("acquire", "waiting for node " + config.nodeName() + " to be registered (is " +
                        "NODE_NAME this node's name in the API server?)");
                } else if (NodeLeases.podCidr(node) == null) {
                    waitLog.warn("acquire", "waiting for node " + config.nodeName() + " to get a podCIDR " +
                        "(spec.podCIDR is empty: the controller manager assigns it with --allocate-node-cidrs)");
                } else {
                    return node;
                }
            }
            Thread.sleep(config.retryInterval().toMillis());
        }
    }

    /**
     * Annotates our node if it needs it and clears NetworkUnavailable when asked to. A clear that fails after the
     * annotations went through is owed until one succeeds ({@link #clearOwed}): the node then carries them, and
     * would otherwise never be written again.
     */
    private void writeOwnNode(final Node node, final Lease lease) {
        final Map<String, String> wanted = ownNode.wanted(node, lease.publicIp(), lease.backendData());
        if (!OwnNode.carries(node, wanted)) {
            ownNode.annotate(wanted);
            Log.info("annotated node " + config.nodeName() + ": " + wanted);
        }
        if (config.setNodeNetworkUnavailable()) {
            clearOwed = true;
            ownNode.clearNetworkUnavailable();
            clearOwed = false;
        }
    }

    /** Retries a write while the API server is unreachable or busy; fails on a refusal (RBAC, a bad request). */
    private void writeUntilDone(final Runnable write) throws IOException, InterruptedException {
        while (true) {
            checkOpen();
            try {
                write.run();
                return;
            } catch (final KubernetesClientException e) {
                if (!isTransient(e)) {
                    throw new IOException("the API server refused a write to node " + config.nodeName() + " (HTTP " +
                        e.getCode() + "): " + e.getMessage() + (e.getCode() == 403 ? "; weftd needs RBAC to patch " +
                        "nodes/status, as flanneld" : ""), e);
                }
                warnLog.warn("write", "cannot write to node " + config.nodeName() + ": " + e.getMessage() +
                    "; retrying");
            }
            Thread.sleep(config.retryInterval().toMillis());
        }
    }

    /**
     * On the watcher's thread, after every rebuild and at every look while no event comes: our node as the cache has
     * it. When it lacks our annotations (registered again, or an operator removed them) writes them and clears
     * NetworkUnavailable again, and clears it again while a clear is owed, as {@link OwnNodeWrites} paces it; a
     * changed podCIDR is reported once.
     */
    private void keepOwnNode(final Node node) {
        final Lease lease = ownLease;
        if (lease == null || closed) {
            return;
        }
        if (node == null) {
            warnLog.warn("own-node", "node " + config.nodeName() + " is not in the API server (deleted?): its " +
                "annotations will be written again when it is registered again");
            return;
        }
        warnLog.clear("own-node");
        final Ipv4Prefix podCidr = NodeLeases.podCidr(node);
        if (podCidr != null && !podCidr.equals(lease.subnet())) {
            if (!subnetChangeReported) {
                subnetChangeReported = true;
                listener.onOwnLeaseReacquired(new Lease(podCidr, lease.publicIp(), ownBackendData));
            }
            return;
        }
        final Map<String, String> wanted = ownNode.wanted(node, lease.publicIp(), lease.backendData());
        // NetworkUnavailable is cleared again only with the annotations, as at start, or when a clear failed: a cloud
        // route controller that sets it on its own schedule is not fought.
        final boolean annotated = OwnNode.carries(node, wanted);
        if (annotated && !clearOwed) {
            return;
        }
        if (!ownNodeWrites.shouldWrite(node.getMetadata().getResourceVersion(), wanted, System.nanoTime())) {
            return;
        }
        try {
            if (ownNodeWrites.firstAttempt()) {
                Log.info(annotated ? "clearing node " + config.nodeName() + "'s NetworkUnavailable again, as the " +
                    "last clear failed" : "node " + config.nodeName() + " lacks flannel's annotations (registered " +
                    "again?): writing them again");
            }
            writeOwnNode(node, lease);
            ownNodeWrites.written();
        } catch (final KubernetesClientException e) {
            warnLog.warn("write", "cannot write to node " + config.nodeName() + ": " + e.getMessage() +
                "; retrying in " + TimeUnit.NANOSECONDS.toMillis(ownNodeWrites.backoffNanos()) +
                " ms or at its next version");
        }
    }

    private static boolean isTransient(final KubernetesClientException e) {
        final int code = e.getCode();
        return code == 0 || code == 404 || code == 409 || code == 429 || code >= 500;
    }

    private void checkOpen() throws InterruptedException {
        if (closed) {
            throw new InterruptedException("kube registry closed");
        }
    }
}
