package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How weftd ends: a setup that fails, even of an Error, closes what it opened and exits 1; a stop at any point of setup
 * runs the shutdown; a stop never takes longer than its budget, even with etcd hung.
 */
class WeftdStopTest {
    /** weftd's own budget is 10 s; the rest is JVM exit and a slow machine. */
    private static final Duration STOP_BOUND = Duration.ofSeconds(13);

    /**
     * Too little direct memory for the lanes asked for: their message vectors (direct buffers, 350 KiB a lane at
     * --batch 64; the packet slots are mapped memory, outside the limit) fail with OutOfMemoryError, an Error. Before,
     * it passed setup's catch (Exception), nothing was undone, and the HTTP server's thread kept the JVM alive:
     * flannel0 up and routed, no lane, cross-node traffic blackholed on a node that looked alive.
     */
    @Test
    void shouldUndoSetupAndExitOneWhenTheLanesCannotHaveTheirDirectMemory() {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            Node node = staticNode(testbed);
            ManagedProcess weftd = node.start("weftd-oom", WeftdProcess.withJvmOptions(WeftdProcess.command(
                WeftdProcess.locateJar(), staticArgs(testbed, node, List.of("--lanes", "64", "--batch", "64"))),
                List.of("-XX:MaxDirectMemorySize=2m")));

            assertThat(weftd.waitFor(Duration.ofSeconds(30))).as("exited by itself: %s", weftd.logText()).isTrue();
            assertThat(weftd.exitCode()).isEqualTo(1);
            assertThat(WeftdLifecycleTest.lastLine(weftd.logText())).startsWith("weftd: 64 lane(s) need more direct"
                + " memory than this JVM may use").endsWith("lower --lanes or raise -XX:MaxDirectMemorySize");
            // What the node needs between two weftds stays: the device, without a reader, drops what is routed in.
            assertThat(node.exec("ip", "-o", "link", "show", "flannel0").stdout()).contains("NO-CARRIER");
        }
    }

    /** Before, the shutdown hook was registered after setup: a SIGTERM while waiting for etcd skipped cleanup. */
    @Test
    void shouldRunItsCleanupWhenStoppedWhileWaitingForTheNetworkConfig() {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            Etcd etcd = Etcd.start(testbed);
            Node node = testbed.addNode("n1", OverlayCluster.underlayIp(1));
            ManagedProcess weftd = node.start("weftd", WeftdProcess.command(WeftdProcess.locateJar(),
                etcdArgs(testbed, node, etcd)));
            weftd.awaitLogLine(line -> line.contains("not found in etcd: waiting"), Duration.ofSeconds(30));

            long startNs = System.nanoTime();
            weftd.signal("TERM");

            assertThat(weftd.waitFor(STOP_BOUND)).as("stopped: %s", weftd.logText()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - startNs)).isLessThan(Duration.ofSeconds(5));
            assertThat(weftd.logText()).contains("weftd INFO stopping").contains("weftd INFO stopped: ");
        }
    }

    /**
     * etcd hangs (SIGSTOP: connections stay open, nothing answers) under a forwarding weftd, then the kubelet stops
     * it: the stop must end within weftd's budget, well before a pod's grace period runs out and SIGKILL would cut
     * it short; the --ip-masq chain and flannel0 stay for the next weftd.
     */
    @Test
    void shouldStopWithinItsBudgetWhenEtcdHangs() {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            OverlayCluster cluster = OverlayCluster.start(testbed, 1, List.of("--ip-masq"));
            WeftdProcess weftd = cluster.weftd(1);
            cluster.etcd().pause();
            try {
                long startNs = System.nanoTime();
                weftd.process().signal("TERM");

                assertThat(weftd.process().waitFor(STOP_BOUND)).as("stopped: %s", weftd.process().logText())
                    .isTrue();
                Duration took = Duration.ofNanos(System.nanoTime() - startNs);
                System.out.println("[stop] weftd stopped " + took.toMillis() + " ms after SIGTERM with etcd hung");
                assertThat(took).isLessThan(STOP_BOUND);
                assertThat(cluster.node(1).exec("iptables", "-t", "nat", "-S").stdout()).contains("WEFT-POSTRTG");
                assertThat(cluster.node(1).exec("ip", "-o", "link", "show", "flannel0").stdout())
                    .contains("NO-CARRIER");
            } finally {
                cluster.etcd().resume();
            }
        }
    }

    private static Node staticNode(Testbed testbed) {
        Node node = testbed.addNode("n1", OverlayCluster.underlayIp(1));
        StaticLeases.write(testbed.runDir().resolve("leases.json"), OverlayCluster.NETWORK, 24, 8285,
            Map.of("10.244.1.0/24", node.ip()));
        return node;
    }

    private static List<String> staticArgs(Testbed testbed, Node node, List<String> extra) {
        List<String> args = new ArrayList<>(List.of("--static-leases",
            testbed.runDir().resolve("leases.json").toString()));
        args.addAll(nodeArgs(testbed, node));
        args.addAll(extra);
        return args;
    }

    private static List<String> etcdArgs(Testbed testbed, Node node, Etcd etcd) {
        List<String> args = new ArrayList<>(List.of("--etcd-endpoints", etcd.endpoint(), "--ip-masq"));
        args.addAll(nodeArgs(testbed, node));
        return args;
    }

    private static List<String> nodeArgs(Testbed testbed, Node node) {
        return List.of("--public-ip", node.ip(), "--subnet-file", testbed.runDir().resolve("subnet.env").toString(),
            "--cni-conf-dir", testbed.runDir().resolve("net.d").toString());
    }
}
