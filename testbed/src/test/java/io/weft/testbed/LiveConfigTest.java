package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The network config written while the nodes run, on real namespaces with a real etcd: a widened Network is routed
 * at once (before, nodes never read the config again: a node leasing in the new range was unreachable from the
 * older ones); a change weftd cannot apply live fails /readyz and says why; garbage changes nothing.
 */
class LiveConfigTest {
    private static final String CONFIG = OverlayCluster.ETCD_PREFIX + "/config";
    private static final String WIDENED = "{\"Network\":\"10.244.0.0/15\",\"SubnetMin\":\"10.245.0.0\","
        + "\"Backend\":{\"Type\":\"udp\",\"Port\":8285}}";
    private static final Duration APPLIED_WITHIN = Duration.ofSeconds(10);

    @Test
    void shouldRouteAWidenedNetworkLiveAndFailReadinessWhileAPortChangeWaitsForARestart() throws IOException {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            OverlayCluster cluster = OverlayCluster.start(testbed, 1, List.of());
            Node node = cluster.node(1);
            WeftdProcess weftd = cluster.weftd(1);

            cluster.etcd().put(CONFIG, WIDENED);

            assertThat(Await.until(APPLIED_WITHIN, () -> node.exec("ip", "route").stdout()
                .contains("10.244.0.0/15 dev flannel0"))).as("the wider Network routed into flannel0").isTrue();
            assertThat(node.exec("ip", "route").stdout()).doesNotContain("10.244.0.0/16");
            // Written one after the other, after the route: each is awaited, not read once.
            assertThat(Await.until(APPLIED_WITHIN, () -> read(cluster.subnetFile(node))
                .contains("FLANNEL_NETWORK=10.244.0.0/15"))).as("subnet.env").isTrue();
            assertThat(Await.until(APPLIED_WITHIN, () -> read(cluster.conflist(node)).contains("10.244.0.0/15")))
                .as("the CNI conflist").isTrue();
            assertThat(Await.until(APPLIED_WITHIN, () -> node.exec("iptables", "-t", "nat", "-S", "WEFT-POSTRTG")
                .stdout().contains("-s 10.244.0.0/15 -d 10.244.0.0/15 -j RETURN"))).as("--ip-masq rules").isTrue();

            // A node started now leases in the new range; the older node routes to it and back.
            cluster.addNodes(1);
            assertThat(cluster.subnetOf(cluster.node(2))).startsWith("10.245.");
            assertThat(Ping.run(cluster.pod(1), cluster.pod(2).ip(), 3).received()).isEqualTo(3);
            assertThat(Ping.run(cluster.pod(2), cluster.pod(1).ip(), 3).received()).isEqualTo(3);
            assertThat(healthz(node)).isEqualTo("200 ok");

            cluster.etcd().put(CONFIG, WIDENED.replace("8285", "9000"));

            assertThat(Await.until(APPLIED_WITHIN, () -> healthz(node).startsWith("503"))).isTrue();
            assertThat(healthz(node)).contains("Backend.Port");
            assertThat(weftd.metrics().get("weft_config_changes_pending{key=\"Backend.Port\"}").longValue())
                .isEqualTo(1);
            assertThat(weftd.process().logText()).contains("changed Backend.Port in a way a running weftd cannot "
                + "apply");
            assertThat(Ping.run(cluster.pod(1), cluster.pod(2).ip(), 2).received()).as("still on port 8285")
                .isEqualTo(2);

            cluster.etcd().put(CONFIG, "{\"Network\":");
            cluster.etcd().put(CONFIG, WIDENED);
            assertThat(Await.until(APPLIED_WITHIN, () -> healthz(node).equals("200 ok"))).isTrue();
            assertThat(weftd.metrics().get("weft_registry_invalid_configs_total").longValue()).isEqualTo(1);
            assertThat(weftd.process().isAlive()).isTrue();
            assertThat(Ping.run(cluster.pod(1), cluster.pod(2).ip(), 2).received()).isEqualTo(2);
        }
    }

    /** Empty while it cannot be read. */
    private static String read(final Path file) {
        try {
            return Files.readString(file);
        } catch (final IOException e) {
            return "";
        }
    }

    /** "200 ok" or "503 <why>", as the kubelet's readiness probe sees it. */
    private static String healthz(Node node) {
        ExecResult curl = node.exec(Duration.ofSeconds(5), List.of("curl", "-s", "--max-time", "2", "-w",
            " %{http_code}", "http://127.0.0.1:" + WeftdProcess.DEFAULT_METRICS_PORT + "/readyz"));
        String out = curl.stdout().strip();
        int space = out.lastIndexOf(' ');
        return space < 0 ? out : out.substring(space + 1) + " " + out.substring(0, space).strip();
    }
}
