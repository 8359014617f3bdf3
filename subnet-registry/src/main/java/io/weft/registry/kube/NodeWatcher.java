package io.weft.registry.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.weft.log.Log;
import io.weft.log.OncePerKeyLog;
import io.weft.registry.Lease;
import io.weft.registry.LeaseListener;
import io.weft.registry.NetworkConfig;
import io.weft.registry.RegistryStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Turns the node cache into lease sets, on its own thread {@code weft-lease-watcher}: each burst of informer events
 * is coalesced into one rebuild from the cache, and the set goes to the listener when it changed (the first time
 * always, once the cache is complete). Nodes that give no lease are skipped, logged once per reason and counted
 * each time a node starts being skipped or for another reason. A watch down for {@link #RELIST_AFTER_MS} is a lost
 * watch: the informer lists every node again, and until that list is in the listener keeps the last set.
 */
final class NodeWatcher implements AutoCloseable {
    static final long LOOK_INTERVAL_MS = 250;
    /**
     * An API server ends every watch now and then (its request timeout): fabric8 watches again from the last
     * resourceVersion 1 s later (then 2 s, 4 s... after failures), and the server replays what happened meanwhile.
     * Only a watch down longer than fabric8's first two tries is lost: listing every node again on each routine end
     * would cost a large cluster's API server a full list from every node every few minutes.
     */
    static final long RELIST_AFTER_MS = 5_000;
    private static final Comparator<Lease> BY_SUBNET =
        Comparator.comparingInt((Lease lease) -> lease.subnet().address() ^ Integer.MIN_VALUE);

    private final NodeInformer nodes;
    private final NodeAnnotations names;
    private final NetworkConfig network;
    private final String ownName;
    private final Consumer<Node> ownNode;
    private final LeaseListener listener;
    private final RegistryStats stats;
    private final OncePerKeyLog skipLog;
    private final Thread thread;
    private final Map<String, String> skipped = new HashMap<>();
    private List<Lease> delivered;
    private volatile boolean closed;

    /**
     * @param ownNode told of our own node (null when it is not in the cache) on every rebuild, and every
     *                {@link #LOOK_INTERVAL_MS} while no event comes.
     */
    NodeWatcher(final NodeInformer nodes, final NodeAnnotations names, final NetworkConfig network,
        final String ownName, final Consumer<Node> ownNode, final LeaseListener listener, final RegistryStats stats,
        final OncePerKeyLog skipLog) {
        this.nodes = nodes;
        this.names = names;
        this.network = network;
        this.ownName = ownName;
        this.ownNode = ownNode;
        this.listener = listener;
        this.stats = stats;
        this.skipLog = skipLog;
        this.thread = new Thread(this::run, "weft-lease-watcher");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long pendingSince = System.nanoTime(); // the first set is due as soon as the cache is complete
        boolean wasWatching = false;
        long downSince = 0;
        boolean relisting = false;
        while (!closed) {
            try {
                final long eventNanos = nodes.takeEvents(LOOK_INTERVAL_MS);
                if (eventNanos != 0) {
                    pendingSince = pendingSince == 0 ? eventNanos : Math.min(pendingSince, eventNanos);
                }
                final long now = System.nanoTime();
                if (nodes.watching()) {
                    wasWatching = true;
                    downSince = 0;
                } else if (wasWatching && downSince == 0) {
                    downSince = now;
                } else if (wasWatching && now - downSince >= TimeUnit.MILLISECONDS.toNanos(RELIST_AFTER_MS)) {
                    Log.warn("the watch on nodes was lost for " + RELIST_AFTER_MS / 1000 + " s: listing every node"
                        + " again");
                    nodes.relist();
                    relisting = true;
                    wasWatching = false;
                    downSince = 0;
                    pendingSince = now;
                }
                if (pendingSince != 0 && nodes.synced()) {
                    if (relisting) {
                        // Counted as the etcd watcher counts: a new list in, and the new watch starting after it.
                        stats.onWatchRestart();
                        relisting = false;
                    }
                    rebuild(pendingSince);
                    pendingSince = 0;
                } else if (nodes.synced()) {
                    // Our node's writes are retried from here too: its own updates are the only events that still
                    // come when nothing else about the cluster's leases changes.
                    ownNode.accept(nodes.get(ownName));
                }
            } catch (final InterruptedException e) {
                break;
            } catch (final RuntimeException e) {
                Log.warn("while reading the node cache: " + e);
            }
        }
    }

    private void rebuild(final long observedNanos) {
        final Map<String, Lease> bySubnet = new HashMap<>();
        final Map<String, String> skippedNow = new HashMap<>();
        final List<Node> all = new ArrayList<>(nodes.list());
        all.sort(Comparator.comparing((Node node) -> node.getMetadata().getName()));
        Node own = null;
        for (final Node node : all) {
            final String name = node.getMetadata().getName();
            if (name.equals(ownName)) {
                own = node;
            }
            final NodeLeases.Decoded decoded = NodeLeases.decode(node, names, network);
            String reason = decoded.skipReason();
            if (reason == null) {
                final Lease lease = decoded.lease();
                final Lease taken = bySubnet.putIfAbsent(lease.subnet().toString(), lease);
                if (taken != null) {
                    reason = "its podCIDR " + lease.subnet() + " is another node's too";
                }
            }
            if (reason != null && !name.equals(ownName)) {
                skippedNow.put(name, reason);
            }
        }
        for (final Map.Entry<String, String> entry : skippedNow.entrySet()) {
            if (!entry.getValue().equals(skipped.get(entry.getKey()))) {
                stats.onSkippedEntry();
            }
            skipLog.warn(entry.getKey(), "skipping node " + entry.getKey() + ": " + entry.getValue());
        }
        for (final String name : skipped.keySet()) {
            if (!skippedNow.containsKey(name)) {
                skipLog.clear(name);
            }
        }
        skipped.clear();
        skipped.putAll(skippedNow);
        ownNode.accept(own);
        final List<Lease> leases = new ArrayList<>(bySubnet.values());
        leases.sort(BY_SUBNET);
        if (leases.equals(delivered)) {
            return;
        }
        delivered = List.copyOf(leases);
        stats.leasesKnown(leases.size());
        try {
            listener.onLeases(delivered, observedNanos);
        } catch (final RuntimeException e) {
            Log.warn("the lease listener failed: " + e);
        }
    }
}
