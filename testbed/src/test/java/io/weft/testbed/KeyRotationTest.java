package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 20's key rotation on real nodes: two weftds in etcd mode with {@code --auth=on} (node 2 also encrypting)
 * rotate their node keys every 8 and 10 seconds under a stream of UDP probes one way and a TCP transfer the other:
 * each makes a new key, advertises it, seals with it and forgets the old one with no restart, and not one probe or
 * byte is lost or refused.
 */
class KeyRotationTest {
    private static final int PROBE_PORT = 9101;
    private static final int PROBE_LENGTH = 64;
    private static final int PROBES_PER_SECOND = 500;
    private static final int SECONDS = 24;
    private static final String DROPS = "weft_drops_total{direction=\"udp_to_tun\",reason=\"%s\"}";
    private static final String OPENED = "weft_authenticated_datagrams_total{direction=\"udp_to_tun\"}";

    @Test
    void shouldRotateBothNodesKeysUnderTrafficAndLoseNothing() throws Exception {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            OverlayCluster cluster = OverlayCluster.start(testbed, 1, List.of("--auth=on", "--auth-key-rotation=8"));
            cluster.addNode(List.of("--auth=on", "--encrypt", "--auth-key-rotation=10"));
            assertThat(Ping.run(cluster.pod(1), cluster.pod(2).ip(), 2).received()).isEqualTo(2);
            String[] keysBefore = {weftKey(cluster, 1), weftKey(cluster, 2)};
            String[] filesBefore = {keyFile(cluster, 1), keyFile(cluster, 2)};

            int probes = SECONDS * PROBES_PER_SECOND;
            UdpProbe.Counter checker = UdpProbe.startChecker(cluster.pod(2), PROBE_PORT, SECONDS + 6, PROBE_LENGTH);
            CompletableFuture<Void> udp = CompletableFuture.runAsync(() -> UdpProbe.streamPaced(cluster.pod(1),
                cluster.pod(2).ip(), PROBE_PORT, PROBE_LENGTH, probes, PROBES_PER_SECOND));
            CompletableFuture<TcpTransfer.Result> tcp = CompletableFuture.supplyAsync(
                () -> TcpTransfer.runPaced(cluster.pod(2), cluster.pod(1), SECONDS * (1L << 20), 1L << 20));
            udp.get(SECONDS + 30, TimeUnit.SECONDS);
            TcpTransfer.Result transfer = tcp.get(SECONDS + 60, TimeUnit.SECONDS);
            String report = checker.awaitReport();
            long received = Long.parseLong(report.split(" ")[0].substring("count=".length()));

            System.out.println("[key-rotation] UDP " + probes + " probes: " + report + "; TCP " + transfer.report());
            assertThat(report).contains(" bad=0");
            assertThat(received).as("probes received of %d across the rotations", probes).isEqualTo(probes);
            assertThat(transfer.intact()).as(transfer.report()).isTrue();
            for (int i = 1; i <= 2; i++) {
                WeftdProcess weftd = cluster.weftd(i);
                assertThat(weftd.process().logText()).as("node %d", i).contains("rotation done");
                assertThat(weftKey(cluster, i)).as("node %d advertises a new key", i).isNotEqualTo(keysBefore[i - 1]);
                assertThat(keyFile(cluster, i)).as("node %d keeps it for a restart", i)
                    .isNotEqualTo(filesBefore[i - 1]);
                Map<String, Number> metrics = weftd.metrics();
                assertThat(metrics.get(OPENED).longValue()).as("node %d opened", i).isPositive();
                for (String reason : List.of("auth_failed", "replayed", "unauthenticated", "auth_unknown_key")) {
                    assertThat(metrics.getOrDefault(String.format(DROPS, reason), 0L).longValue())
                        .as("node %d: %s", i, reason).isZero();
                }
            }
        }
    }

    private static String weftKey(OverlayCluster cluster, int node) {
        String subnet = cluster.subnetOf(cluster.node(node)).replace('/', '-');
        String value = cluster.etcd().get(OverlayCluster.ETCD_PREFIX + "/subnets/" + subnet);
        int at = value.indexOf("\"WeftKey\":\"");
        assertThat(at).as("node %d's lease %s has a key", node, value).isNotNegative();
        return value.substring(at, value.indexOf('"', at + 11));
    }

    private static String keyFile(OverlayCluster cluster, int node) throws IOException {
        Path file = cluster.subnetFile(cluster.node(node)).resolveSibling("weft-node.key");
        return Files.readString(file);
    }
}
