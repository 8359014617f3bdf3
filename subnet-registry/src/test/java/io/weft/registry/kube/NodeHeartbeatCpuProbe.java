package io.weft.registry.kube;

import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a test (surefire's default includes leave it out of {@code ./weft test}): the lease watcher's
 * CPU while other nodes' kubelets update their status, N nodes on fabric8's mock API server. Run by hand:
 * {@code mvn -pl subnet-registry verify -Dtest=NodeHeartbeatCpuProbe -Dprobe.nodes=5000 -Dprobe.rate=50};
 * docs/kubernetes.md has its figures.
 */
class NodeHeartbeatCpuProbe {
    @Test
    void probe() throws Exception {
        final int nodes = Integer.getInteger("probe.nodes", 2000);
        final int perSecond = Integer.getInteger("probe.rate", 20);
        final int seconds = Integer.getInteger("probe.seconds", 20);
        final Path dir = Files.createTempDirectory("probe");
        try (MockApiServer api = MockApiServer.start(); KubernetesClient client = api.client()) {
            KubeTestKit.createCluster(client, nodes, false);
            final KubeTestKit.RecordingListener listener = new KubeTestKit.RecordingListener();
            final KubeLeaseRegistry registry = KubeTestKit.watchingEveryNode(api, dir, nodes, listener);
            Thread.sleep(3000);
            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            final Thread watcher = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("weft-lease-watcher")).findFirst().orElseThrow();
            final long cpu0 = threads.getThreadCpuTime(watcher.getId());
            final long t0 = System.nanoTime();
            int sent = 0;
            for (int s = 0; s < seconds * perSecond; s++) {
                final int n = 2 + (s * 7919) % (nodes - 1);
                final String heartbeat = Long.toString(System.currentTimeMillis() + s);
                client.nodes().withName("n" + n).edit(node -> {
                    node.getStatus().getConditions().set(0, new NodeConditionBuilder().withType("Ready")
                        .withStatus("True").withReason(heartbeat).build());
                    return node;
                });
                sent++;
                final long due = t0 + (long) (s + 1) * 1_000_000_000L / perSecond;
                final long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            Thread.sleep(1000);
            final double cpuMs = (threads.getThreadCpuTime(watcher.getId()) - cpu0) / 1e6;
            final double wallS = (System.nanoTime() - t0) / 1e9;
            System.out.printf("PROBE nodes=%d updates=%d in %.1f s: lease watcher CPU %.1f ms (%.2f %% of a core),"
                + " deliveries %d%n", nodes, sent, wallS, cpuMs, cpuMs / wallS / 10, listener.deliveries.size());
            registry.close();
        }
    }
}
