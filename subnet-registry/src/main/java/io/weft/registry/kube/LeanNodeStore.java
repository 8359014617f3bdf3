package io.weft.registry.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * The informer's node cache, keeping of each node only what weftd reads from it: its metadata (the annotations, the
 * resource version) and its spec (the pod CIDRs). A node's status (its images, conditions, capacity) and the managed
 * fields are most of its size, and a cache of every node in a large cluster would otherwise hold them all for
 * nothing; our own node's NetworkUnavailable condition is read fresh from the API server when it is written. (The
 * images, volumes and managed fields are not even parsed: {@link NodeReading}; this drops the rest of the status.)
 * The informer hands the same object to its handlers, which therefore see it without them too.
 */
final class LeanNodeStore extends BasicItemStore<Node> {
    LeanNodeStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public Node put(final String key, final Node node) {
        return super.put(key, lean(node));
    }

    /**
     * {@code node} without its status and managed fields: the informer's own copy, so changed in place. weftd's client
     * does not parse the managed fields ({@link NodeReading}); they are dropped here too for a client that does.
     */
    static Node lean(final Node node) {
        node.setStatus(null);
        if (node.getMetadata() != null) {
            node.getMetadata().setManagedFields(null);
        }
        return node;
    }
}
