package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** weftd's setup errors and shutdown, on real namespaces: what an operator sees. */
class WeftdLifecycleTest {

    @Test
    void shouldRemoveFlannel0AndItsRouteOnSigterm() {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            Node node = testbed.addNode("n1", OverlayCluster.underlayIp(1));
            Map<String, String> leases = Map.of("10.244.1.0/24", node.ip());
            StaticLeases.write(testbed.runDir().resolve("leases.json"), OverlayCluster.NETWORK, 24, 8285, leases);
            WeftdProcess weftd = node.startWeftd(args(testbed, node, List.of())).awaitHealthy(Duration.ofSeconds(30));
            assertThat(node.exec("ip", "route").stdout()).contains("10.244.0.0/16 dev flannel0");

            weftd.stop();
            assertThat(weftd.process().isAlive()).isFalse();
            assertThat(node.exec("ip", "link").stdout()).doesNotContain("flannel0");
            assertThat(node.exec("ip", "route").stdout()).doesNotContain("10.244.0.0/16");
            assertThat(weftd.process().logText()).contains("stopped: TUN device and route removed");
        }
    }

    @Test
    void shouldFailWithOneLineWithoutCapNetAdmin() {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            Node node = testbed.addNode("n1", OverlayCluster.underlayIp(1));
            StaticLeases.write(testbed.runDir().resolve("leases.json"), OverlayCluster.NETWORK, 24, 8285,
                Map.of("10.244.1.0/24", node.ip()));
            // Root without CAP_NET_ADMIN in its bounding set: what a pod without that capability gets.
            List<String> command = new ArrayList<>(List.of("setpriv", "--bounding-set=-net_admin",
                "--inh-caps=-net_admin", "--"));
            command.addAll(WeftdProcess.command(WeftdProcess.locateJar(), args(testbed, node, List.of())));
            ManagedProcess weftd = node.start("weftd-nocap", command);
            assertThat(weftd.waitFor(Duration.ofSeconds(30))).isTrue();
            assertThat(weftd.exitCode()).isEqualTo(1);
            assertThat(lastLine(weftd.logText())).isEqualTo("weftd: cannot create TUN device flannel0 (TUNSETIFF): "
                + "EPERM (Operation not permitted) - need CAP_NET_ADMIN");
        }
    }

    @Test
    void shouldExitTwoWithUsageOnUnknownFlag() {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            Node node = testbed.addNode("n1", OverlayCluster.underlayIp(1));
            ManagedProcess weftd = node.start("weftd-badflag",
                WeftdProcess.command(WeftdProcess.locateJar(), List.of("--kube-subnet-mgr")));
            assertThat(weftd.waitFor(Duration.ofSeconds(30))).isTrue();
            assertThat(weftd.exitCode()).isEqualTo(2);
            assertThat(lastLine(weftd.logText())).isEqualTo("weftd: unknown flag --kube-subnet-mgr (see weftd --help)");
        }
    }

    private static List<String> args(Testbed testbed, Node node, List<String> extra) {
        List<String> args = new ArrayList<>(List.of(
            "--static-leases", testbed.runDir().resolve("leases.json").toString(),
            "--public-ip", node.ip(), "--subnet-file", testbed.runDir().resolve("subnet.env").toString(),
            "--cni-conf-dir", testbed.runDir().resolve("net.d").toString()));
        args.addAll(extra);
        return args;
    }

    /** The error line; also checks that no stack trace came with it. */
    static String lastLine(String log) {
        assertThat(log).doesNotContain("\tat ").doesNotContain("Exception");
        List<String> lines = log.strip().lines().toList();
        return lines.get(lines.size() - 1);
    }
}
