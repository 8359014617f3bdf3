package io.weft.registry.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Builds the fabric8 client as flanneld builds client-go's: from a kubeconfig file when given, the API URL overriding
 * its server; from the URL alone (no credentials) when only it is given; otherwise in-cluster (fabric8's
 * auto-configuration: the pod's service account, or KUBECONFIG and ~/.kube/config outside a pod). Always on the JDK
 * HTTP client: weftd carries no second HTTP stack for it. Nodes are read without what weftd never uses
 * ({@link NodeReading}), and no response outlives its use (below).
 */
final class KubeClients {
    private KubeClients() {
    }

    static KubernetesClient build(final KubeRegistryConfig config) throws IOException {
        final Config base;
        if (config.kubeconfigFile() != null) {
            if (!Files.isReadable(config.kubeconfigFile())) {
                throw new IOException("cannot read kubeconfig " + config.kubeconfigFile());
            }
            try {
                base = Config.fromKubeconfig(config.kubeconfigFile().toFile());
            } catch (final KubernetesClientException e) {
                throw new IOException("cannot use kubeconfig " + config.kubeconfigFile() + ": " + e.getMessage(), e);
            }
        } else if (config.apiUrl() != null) {
            base = Config.empty();
        } else {
            base = Config.autoConfigure(null);
        }
        final ConfigBuilder builder = new ConfigBuilder(base);
        if (config.apiUrl() != null) {
            builder.withMasterUrl(config.apiUrl());
        }
        // No connect timeout of the HTTP client's own: with one, the JDK's client (17) keeps each connection's first
        // exchange reachable through its connect timer for as long as the connection lives, and the informer's first
        // list, every node of the cluster as one body, is often that exchange (docs/kubernetes.md). fabric8's request
        // timeout covers connecting instead (for a watch, its WebSocket's opening), so it is never left at 0 (none).
        builder.withConnectionTimeout(0);
        if (base.getRequestTimeout() == null || base.getRequestTimeout() <= 0) {
            builder.withRequestTimeout(Config.DEFAULT_REQUEST_TIMEOUT);
        }
        return new KubernetesClientBuilder().withConfig(builder.build())
            .withHttpClientFactory(new JdkHttpClientFactory())
            .withKubernetesSerialization(NodeReading.serialization()).build();
    }
}
