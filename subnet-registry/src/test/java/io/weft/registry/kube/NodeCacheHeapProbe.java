package io.weft.registry.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a test (surefire's default includes leave it out of {@code ./weft test}): the heap in use after
 * a full collection before a kube-mode registry starts and once it holds N nodes shaped as a real cluster's, on
 * fabric8's mock API server, which runs in the same JVM (its own growth is in the figure). Run by hand:
 * {@code mvn -pl subnet-registry verify -Dtest=NodeCacheHeapProbe -Dprobe.nodes=4000}; docs/kubernetes.md has its
 * figures.
 */
class NodeCacheHeapProbe {
    @Test
    void probe() throws Exception {
        final int nodes = Integer.getInteger("probe.nodes", 2000);
        final Path dir = Files.createTempDirectory("probe");
        try (MockApiServer api = MockApiServer.start(); KubernetesClient client = api.client()) {
            KubeTestKit.createCluster(client, nodes, true);
            System.out.println("PROBE one node's JSON: "
                + io.fabric8.kubernetes.client.utils.Serialization.asJson(client.nodes().withName("n2").get()).length()
                + " chars");
            final long before = KubeTestKit.heapUsedAfterGc();
            final KubeTestKit.RecordingListener listener = new KubeTestKit.RecordingListener();
            final KubeLeaseRegistry registry = KubeTestKit.watchingEveryNode(api, dir, nodes, listener);
            final long after = KubeTestKit.heapUsedAfterGc();
            System.out.printf("PROBE nodes=%d heap used after GC: %.1f MB before the registry, %.1f MB with it"
                + " (+%.1f MB, %.1f KB a node)%n", nodes, before / 1e6, after / 1e6, (after - before) / 1e6,
                (after - before) / 1e3 / nodes);
            if (Boolean.getBoolean("probe.histogram")) {
                KubeTestKit.printClassHistogram("PROBE ", 40);
            }
            registry.close();
        }
    }
}
