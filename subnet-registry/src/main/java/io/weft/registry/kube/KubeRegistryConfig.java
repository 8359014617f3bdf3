package io.weft.registry.kube;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the Kubernetes subnet manager needs, with flanneld's defaults.
 *
 * @param apiUrl                    the API server's URL, overriding the kubeconfig's; null for none.
 * @param kubeconfigFile            null: in-cluster configuration (the pod's service account).
 * @param annotationPrefix          flanneld's {@code --kube-annotation-prefix}.
 * @param netConfPath               the network config, flannel's net-conf.json (the JSON of etcd's config key).
 * @param nodeName                  this node's name in the API server ({@code NODE_NAME}).
 * @param setNodeNetworkUnavailable whether to set the node's NetworkUnavailable condition to False once the lease
 *                                  is ours, as flanneld's {@code --set-node-network-unavailable}.
 * @param resyncPeriod              how often the informer hands every cached node to the handler again.
 * @param retryInterval             how often a wait (the config file, the node, its podCIDR) looks again, and the
 *                                  least time between two attempts at a failed write.
 */
public record KubeRegistryConfig(String apiUrl, Path kubeconfigFile, String annotationPrefix, Path netConfPath,
    String nodeName, boolean setNodeNetworkUnavailable, Duration resyncPeriod, Duration retryInterval) {
    public static final String DEFAULT_ANNOTATION_PREFIX = NodeAnnotations.DEFAULT_PREFIX;
    public static final Path DEFAULT_NET_CONF_PATH = Path.of("/etc/kube-flannel/net-conf.json");
    /** flanneld's informer resync. */
    public static final Duration DEFAULT_RESYNC_PERIOD = Duration.ofMinutes(5);
    public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(1);

    public KubeRegistryConfig {
        if (nodeName == null || nodeName.isEmpty()) {
            throw new IllegalArgumentException("the node name is empty: set NODE_NAME to this node's name");
        }
        checkAnnotationPrefix(annotationPrefix);
    }

    /** @throws IllegalArgumentException saying what form a prefix must have, as flanneld checks it. */
    public static void checkAnnotationPrefix(final String prefix) {
        NodeAnnotations.withPrefix(prefix);
    }

    /** In-cluster configuration, flanneld's prefix and config path. */
    public static KubeRegistryConfig defaults(final String nodeName) {
        return new KubeRegistryConfig(null, null, DEFAULT_ANNOTATION_PREFIX, DEFAULT_NET_CONF_PATH, nodeName, true,
            DEFAULT_RESYNC_PERIOD, DEFAULT_RETRY_INTERVAL);
    }

    public KubeRegistryConfig withApi(final String url, final Path kubeconfig) {
        return new KubeRegistryConfig(url, kubeconfig, annotationPrefix, netConfPath, nodeName,
            setNodeNetworkUnavailable, resyncPeriod, retryInterval);
    }

    public KubeRegistryConfig withAnnotationPrefix(final String prefix) {
        return new KubeRegistryConfig(apiUrl, kubeconfigFile, prefix, netConfPath, nodeName,
            setNodeNetworkUnavailable, resyncPeriod, retryInterval);
    }

    public KubeRegistryConfig withNetConfPath(final Path path) {
        return new KubeRegistryConfig(apiUrl, kubeconfigFile, annotationPrefix, path, nodeName,
            setNodeNetworkUnavailable, resyncPeriod, retryInterval);
    }

    public KubeRegistryConfig withSetNodeNetworkUnavailable(final boolean set) {
        return new KubeRegistryConfig(apiUrl, kubeconfigFile, annotationPrefix, netConfPath, nodeName, set,
            resyncPeriod, retryInterval);
    }

    public KubeRegistryConfig withTimings(final Duration resync, final Duration retry) {
        return new KubeRegistryConfig(apiUrl, kubeconfigFile, annotationPrefix, netConfPath, nodeName,
            setNodeNetworkUnavailable, resync, retry);
    }

    /** For the log: where the API server is taken from. */
    String describeApi() {
        if (kubeconfigFile != null) {
            return "kubeconfig " + kubeconfigFile + (apiUrl == null ? "" : ", server " + apiUrl);
        }
        return apiUrl != null ? "API server " + apiUrl : "in-cluster configuration (service account)";
    }
}
