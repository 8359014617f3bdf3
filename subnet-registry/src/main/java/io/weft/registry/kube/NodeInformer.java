package io.weft.registry.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.weft.log.OncePerKeyLog;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fabric8 informer on all nodes (list, then watch, with a periodic resync), replaced by a new one on
 * {@link #relist()}: a list from scratch is the one way a watch lost for a while learns of deletions it missed
 * (fabric8 itself lists again only when the server says the watch's version is gone). Its handlers only queue the
 * time an event came; the reader takes the nodes from the cache, which keeps each node without its status
 * ({@link LeanNodeStore}). An update that leaves a node's lease as it was (the kubelet's status, the informer's
 * resync) queues nothing: in a large cluster such updates come many times a second, and each would cost the reader a
 * pass over every node for an unchanged set. Our own node's annotations are kept by the reader's regular look at it
 * ({@link NodeWatcher}), not by its events.
 */
final class NodeInformer implements AutoCloseable {
    private final KubernetesClient client;
    private final long resyncMs;
    private final NodeAnnotations names;
    private final OncePerKeyLog log;
    private final BlockingQueue<Long> events = new LinkedBlockingQueue<>();
    private volatile SharedIndexInformer<Node> informer;
    private boolean closed;

    NodeInformer(final KubernetesClient client, final long resyncMs, final NodeAnnotations names,
        final OncePerKeyLog log) {
        this.client = client;
        this.resyncMs = resyncMs;
        this.names = names;
        this.log = log;
    }

    /** Starts listing and watching; idempotent. */
    synchronized void start() {
        if (informer == null && !closed) {
            informer = newInformer();
        }
    }

    /** Stops this informer and starts a new one, which lists every node again. */
    synchronized void relist() {
        if (closed) {
            return;
        }
        final SharedIndexInformer<Node> old = informer;
        informer = newInformer();
        if (old != null) {
            old.stop();
        }
        events.add(System.nanoTime());
    }

    /** True once the current informer has listed the nodes (its cache is complete). */
    boolean synced() {
        final SharedIndexInformer<Node> current = informer;
        return current != null && current.hasSynced();
    }

    /** True while the current informer's watch is connected. */
    boolean watching() {
        final SharedIndexInformer<Node> current = informer;
        return current != null && current.isWatching();
    }

    Node get(final String name) {
        final SharedIndexInformer<Node> current = informer;
        return current == null ? null : current.getStore().getByKey(name);
    }

    List<Node> list() {
        final SharedIndexInformer<Node> current = informer;
        return current == null ? List.of() : current.getStore().list();
    }

    /**
     * Waits up to {@code timeoutMs} for an event and takes every queued one.
     *
     * @return {@link System#nanoTime()} of the earliest, or 0 when none came.
     */
    long takeEvents(final long timeoutMs) throws InterruptedException {
        final Long first = events.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (first == null) {
            return 0;
        }
        long earliest = first;
        for (Long next = events.poll(); next != null; next = events.poll()) {
            earliest = Math.min(earliest, next);
        }
        return earliest;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (informer != null) {
            informer.stop();
        }
    }

    private SharedIndexInformer<Node> newInformer() {
        final SharedIndexInformer<Node> created = client.nodes().runnableInformer(resyncMs)
            .itemStore(new LeanNodeStore());
        created.addEventHandler(new ResourceEventHandler<Node>() {
            @Override
            public void onAdd(final Node node) {
                events.add(System.nanoTime());
            }

            @Override
            public void onUpdate(final Node old, final Node node) {
                if (!NodeLeases.sameLeaseInputs(old, node, names)) {
                    events.add(System.nanoTime());
                }
            }

            @Override
            public void onDelete(final Node node, final boolean finalStateUnknown) {
                events.add(System.nanoTime());
            }
        });
        created.exceptionHandler((started, error) -> {
            log.warn("nodes", "cannot list or watch nodes: " + error.getMessage() + "; retrying");
            return true;
        });
        created.start();
        return created;
    }
}
