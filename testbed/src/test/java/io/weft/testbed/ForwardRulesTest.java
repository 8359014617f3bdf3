package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * weftd --iptables-forward-rules (on by default, as flanneld's): with the filter FORWARD policy DROP on every node
 * (as Docker sets it), pods on nodes 1 and 2 still ping each other through the rules, while node 3, started with
 * {@code --iptables-forward-rules=false}, has none and drops what it should forward to its pod; a stop keeps the
 * chain and {@code --cleanup} removes it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ForwardRulesTest {
    private static final String CHAIN = "WEFT-FWD";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private Testbed testbed;
    private OverlayCluster cluster;

    @BeforeAll
    void startCluster() {
        testbed = Testbeds.createOrSkip();
        cluster = OverlayCluster.startStatic(testbed,
            List.of(List.of(), List.of(), List.of("--iptables-forward-rules=false")));
    }

    @AfterAll
    void tearDown() {
        Testbeds.closeIfCreated(testbed);
    }

    @Test
    @Order(1)
    void shouldInstallFlannelsTwoAcceptRulesByDefaultAndNoneWhenTurnedOff() {
        assertThat(iptables(cluster.node(1), "-S", CHAIN).orThrow().stdout().lines()
            .filter(line -> line.startsWith("-A " + CHAIN)).toList())
            .containsExactly("-A " + CHAIN + " -s 10.244.0.0/16 -j ACCEPT",
                "-A " + CHAIN + " -d 10.244.0.0/16 -j ACCEPT");
        assertThat(jumps(cluster.node(1))).isEqualTo(1);
        assertThat(jumps(cluster.node(2))).isEqualTo(1);

        assertThat(iptables(cluster.node(3), "-S", CHAIN).ok()).as("no chain with =false").isFalse();
        assertThat(jumps(cluster.node(3))).isZero();
    }

    @Test
    @Order(2)
    void shouldForwardPodTrafficOnlyThroughTheRulesWhenTheForwardPolicyIsDrop() {
        for (int i = 1; i <= 3; i++) {
            iptables(cluster.node(i), "-P", "FORWARD", "DROP").orThrow();
        }

        long acceptedBefore = accepted(cluster.node(2));
        assertThat(Ping.run(cluster.pod(1), cluster.pod(2).ip(), 3).received())
            .as("both nodes accept the pod network in FORWARD").isEqualTo(3);
        assertThat(accepted(cluster.node(2))).as("by the chain's rules").isGreaterThanOrEqualTo(acceptedBefore + 6);
        assertThat(Ping.run(cluster.pod(1), cluster.pod(3).ip(), 3).received())
            .as("node 3 has no rules: its DROP policy stops what it should forward to its pod").isZero();
    }

    @Test
    @Order(3)
    void shouldKeepTheChainWhenWeftdStopsAndRemoveItOnCleanup() {
        cluster.weftd(2).stop();
        assertThat(jumps(cluster.node(2))).as("kept for the next weftd").isEqualTo(1);
        assertThat(iptables(cluster.node(2), "-S", CHAIN).orThrow().stdout()).contains("-s 10.244.0.0/16 -j ACCEPT");

        ManagedProcess cleanup = cluster.node(2).start("weftd-cleanup", WeftdProcess.command(WeftdProcess.locateJar(),
            cluster.weftdArgs(cluster.node(2), List.of("--cleanup"))));
        assertThat(cleanup.waitFor(Duration.ofSeconds(30))).isTrue();
        assertThat(cleanup.exitCode()).as(cleanup.logText()).isZero();
        assertThat(iptables(cluster.node(2), "-S", CHAIN).ok()).as("chain gone").isFalse();
        assertThat(jumps(cluster.node(2))).isZero();
    }

    /** The packets the chain's rules accepted, by the kernel's counters. */
    private static long accepted(Node node) {
        return iptables(node, "-L", CHAIN, "-v", "-x", "-n").orThrow().stdout().lines().map(String::trim)
            .filter(line -> line.contains("ACCEPT")).mapToLong(line -> Long.parseLong(line.split("\\s+")[0])).sum();
    }

    private static long jumps(Node node) {
        return iptables(node, "-S", "FORWARD").stdout().lines().filter(line -> line.endsWith("-j " + CHAIN)).count();
    }

    private static ExecResult iptables(Node node, String... args) {
        List<String> command = new ArrayList<>(List.of("iptables", "-w", "-t", "filter"));
        command.addAll(List.of(args));
        return node.exec(TIMEOUT, command);
    }
}
