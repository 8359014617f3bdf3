package io.weft.registry.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a test (surefire's default includes leave it out of {@code ./weft test}): can a kube-mode
 * registry, in a JVM of its own with weftd's collector and heap cap, list and keep N nodes shaped as a real cluster's,
 * and how high does its heap go meanwhile (the most in use after any collection, from that JVM's GC log)? The mock
 * API server stays in this JVM, so its own memory is not counted. Run by hand:
 * {@code mvn -pl subnet-registry verify -Dtest=NodeListPeakProbe -Dprobe.nodes=4000 -Dprobe.xmx=256m}
 * ({@code -Dprobe.histogram=true} adds the other JVM's class histogram once it has every node); docs/kubernetes.md
 * has its figures.
 */
class NodeListPeakProbe {
    private static final Pattern AFTER_GC = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    @Test
    void probe() throws Exception {
        final int nodes = Integer.getInteger("probe.nodes", 3000);
        final String xmx = System.getProperty("probe.xmx", "256m");
        final Path dir = Files.createTempDirectory("probe");
        try (MockApiServer api = MockApiServer.start(); KubernetesClient client = api.client()) {
            KubeTestKit.createCluster(client, nodes, true);
            final Path gcLog = dir.resolve("gc.log");
            final Process child = new ProcessBuilder(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UseSerialGC", "-Xms8m", "-Xmx" + xmx, "-XX:+ExitOnOutOfMemoryError",
                "-Xlog:gc:file=" + gcLog, "-cp", System.getProperty("java.class.path"),
                NodeListProbeChild.class.getName(), api.url(), dir.toString(), Integer.toString(nodes),
                Boolean.getBoolean("probe.histogram") ? "histogram" : "-"))
                .redirectErrorStream(true).start();
            final CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(child.getInputStream().readAllBytes());
                } catch (final IOException e) {
                    return "PROBE-CHILD output unreadable: " + e;
                }
            });
            if (!child.waitFor(6, TimeUnit.MINUTES)) {
                child.destroyForcibly();
                child.waitFor();
                System.out.println("PROBE the other JVM did not finish within 6 minutes");
            }
            output.get().lines().filter(line -> line.contains("PROBE-CHILD") || line.contains("OutOfMemory")
                || line.contains("Terminating")).forEach(line -> System.out.println("PROBE " + line));
            int peakAfterGc = 0;
            int collections = 0;
            for (final String line : Files.readAllLines(gcLog)) {
                final Matcher m = AFTER_GC.matcher(line);
                if (m.find()) {
                    collections++;
                    peakAfterGc = Math.max(peakAfterGc, Integer.parseInt(m.group(2)));
                }
            }
            System.out.printf("PROBE nodes=%d xmx=%s exit=%d: heap in use after a collection at most %d MB"
                + " (%d collections)%n", nodes, xmx, child.exitValue(), peakAfterGc, collections);
        }
    }
}
