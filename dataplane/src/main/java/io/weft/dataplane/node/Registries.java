package io.weft.dataplane.node;

import io.weft.registry.LeaseRegistry;
import io.weft.registry.StaticLeaseRegistry;
import io.weft.registry.etcd.EtcdLeaseRegistry;
import io.weft.registry.etcd.EtcdRegistryConfig;
import io.weft.registry.kube.KubeLeaseRegistry;
import io.weft.registry.kube.KubeRegistryConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Picks the lease registry the flags ask for: a static lease file, the Kubernetes API as flanneld's kube subnet
 * manager uses it, or etcd v3 as flanneld uses it.
 */
final class Registries {
    private Registries() {
    }

    static LeaseRegistry open(final WeftdConfig config) throws IOException {
        if (config.staticLeases() != null) {
            return StaticLeaseRegistry.open(config.staticLeases());
        }
        if (config.kube() != null) {
            final WeftdConfig.KubeMode kube = config.kube();
            return KubeLeaseRegistry.open(KubeRegistryConfig.defaults(kube.nodeName())
                .withApi(kube.apiUrl(), kube.kubeconfigFile())
                .withAnnotationPrefix(kube.annotationPrefix())
                .withNetConfPath(kube.netConfPath())
                .withSetNodeNetworkUnavailable(kube.setNodeNetworkUnavailable()));
        }
        EtcdRegistryConfig etcd = EtcdRegistryConfig.defaults(config.etcdEndpoints())
            .withPrefix(config.etcdPrefix())
            .withLease(EtcdRegistryConfig.DEFAULT_LEASE_TTL,
                Duration.ofMinutes(config.subnetLeaseRenewMarginMinutes()));
        if (!config.etcdCaFile().isEmpty() || !config.etcdCertFile().isEmpty() || !config.etcdKeyFile().isEmpty()) {
            etcd = etcd.withTls(path(config.etcdCaFile()), path(config.etcdCertFile()), path(config.etcdKeyFile()));
        }
        if (!config.etcdUsername().isEmpty()) {
            etcd = etcd.withCredentials(config.etcdUsername(), config.etcdPassword());
        }
        return EtcdLeaseRegistry.open(etcd);
    }

    private static Path path(final String file) {
        return file.isEmpty() ? null : Path.of(file);
    }
}
