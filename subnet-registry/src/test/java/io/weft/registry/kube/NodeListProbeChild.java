package io.weft.registry.kube;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@link NodeListPeakProbe}'s other JVM: a kube-mode registry as node n1, against the API server at {@code args[0]},
 * in directory {@code args[1]}, until it has {@code args[2]} leases ({@code args[3]} "histogram" prints its class
 * histogram then). Prints how long that took and the heap in use after a full collection then; its parent reads the
 * peak from this JVM's GC log.
 */
public final class NodeListProbeChild {
    private NodeListProbeChild() {
    }

    public static void main(final String[] args) throws Exception {
        final int nodes = Integer.parseInt(args[2]);
        final long start = System.nanoTime();
        try (KubeLeaseRegistry registry = KubeTestKit.watchingEveryNode(args[0], Path.of(args[1]), nodes,
            new KubeTestKit.RecordingListener(), Duration.ofMinutes(5))) {
            final long syncedMs = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("PROBE-CHILD synced %d leases in %d ms; heap in use after a full collection %.1f MB"
                + " (%d nodes in the watcher's stats)%n", nodes, syncedMs, KubeTestKit.heapUsedAfterGc() / 1e6,
                registry.stats().leasesKnown());
            if (args.length > 3 && "histogram".equals(args[3])) {
                KubeTestKit.printClassHistogram("PROBE-CHILD ", 30);
            }
        }
        System.exit(0);
    }
}
