package io.weft.registry.kube;

import static io.weft.registry.kube.KubeTestKit.create;
import static io.weft.registry.kube.KubeTestKit.flannelNode;
import static io.weft.registry.kube.KubeTestKit.realistic;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.management.ManagementFactory;
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
            create(client, realistic(KubeTestKit.node("n1", KubeTestKit.wideSubnet(1)), 1));
            for (int i = 2; i <= nodes; i++) {
                create(client, realistic(flannelNode("n" + i, KubeTestKit.wideSubnet(i),
                    "udp", "192.168." + (i / 250) + "." + (1 + i % 250)), i));
            }
            System.out.println("PROBE one node's JSON: "
                + io.fabric8.kubernetes.client.utils.Serialization.asJson(client.nodes().withName("n2").get()).length()
                + " chars");
            final long before = usedAfterGc();
            final KubeTestKit.RecordingListener listener = new KubeTestKit.RecordingListener();
            final KubeLeaseRegistry registry = KubeTestKit.watchingEveryNode(api, dir, nodes, listener);
            final long after = usedAfterGc();
            System.out.printf("PROBE nodes=%d heap used after GC: %.1f MB before the registry, %.1f MB with it"
                + " (+%.1f MB, %.1f KB a node)%n", nodes, before / 1e6, after / 1e6, (after - before) / 1e6,
                (after - before) / 1e3 / nodes);
            if (Boolean.getBoolean("probe.histogram")) {
                final Process jcmd = new ProcessBuilder("jcmd", Long.toString(ProcessHandle.current().pid()),
                    "GC.class_histogram").redirectErrorStream(true).start();
                new String(jcmd.getInputStream().readAllBytes()).lines().limit(40)
                    .forEach(line -> System.out.println("PROBE " + line));
            }
            registry.close();
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
