package io.weft.registry.kube;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * {@link NodeListPeakProbe}'s other JVM: a kube-mode registry as node n1, against the API server at {@code args[0]},
 * in the net-conf of directory {@code args[1]}, until it has {@code args[2]} leases. Prints how long that took and the
 * heap in use after a full collection then; its parent reads the peak from this JVM's GC log.
 */
public final class NodeListProbeChild {
    private static final long DEADLINE_MS = 300_000;

    private NodeListProbeChild() {
    }

    public static void main(final String[] args) throws Exception {
        final int nodes = Integer.parseInt(args[2]);
        final long start = System.nanoTime();
        final KubeTestKit.RecordingListener listener = new KubeTestKit.RecordingListener();
        try (KubeLeaseRegistry registry = KubeTestKit.registry(args[0], Path.of(args[1]), "n1")) {
            registry.awaitNetworkConfig();
            registry.acquire(KubeTestKit.ip("192.168.250.1"), null, false);
            registry.watch(listener);
            while (leases(listener) < nodes) {
                if ((System.nanoTime() - start) / 1_000_000 > DEADLINE_MS) {
                    System.out.println("PROBE-CHILD timed out with " + leases(listener) + " leases of " + nodes);
                    System.exit(2);
                }
                Thread.sleep(20);
            }
            final long syncedMs = (System.nanoTime() - start) / 1_000_000;
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(100);
            }
            final long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            System.out.printf("PROBE-CHILD synced %d leases in %d ms; heap in use after a full collection %.1f MB%n",
                leases(listener), syncedMs, used / 1e6);
            if (args.length > 3 && "histogram".equals(args[3])) {
                final Process jcmd = new ProcessBuilder("jcmd", Long.toString(ProcessHandle.current().pid()),
                    "GC.class_histogram").redirectErrorStream(true).start();
                new String(jcmd.getInputStream().readAllBytes()).lines().limit(30)
                    .forEach(line -> System.out.println("PROBE-CHILD " + line));
            }
        }
        System.exit(0);
    }

    private static int leases(final KubeTestKit.RecordingListener listener) {
        final List<?> latest = listener.latest();
        return latest == null ? 0 : latest.size();
    }
}
