package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * weftd --ip-masq on two nodes: a host outside the cluster, on the underlay and without any route to the pods,
 * answers a pod only because the pod's traffic leaves masqueraded; pod-to-pod traffic keeps its source (it hits the
 * RETURN rule, not MASQUERADE, by the kernel's own rule counters); what kube-proxy marked for its own masquerade is
 * left to it; stopping weftd keeps the chain and {@code --cleanup} removes it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IpMasqueradeTest {
    private static final String CHAIN = "WEFT-POSTRTG";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int RULES = 5;
    private static final String KUBE_PROXY_RETURN = "-m mark --mark 0x4000/0x4000 -j RETURN";

    private Testbed testbed;
    private OverlayCluster cluster;
    private Node outside;

    @BeforeAll
    void startCluster() {
        testbed = Testbeds.createOrSkip();
        cluster = OverlayCluster.startStatic(testbed, 2, List.of("--ip-masq"));
        outside = testbed.addNode("x", OverlayCluster.underlayIp(9));
    }

    @AfterAll
    void tearDown() {
        Testbeds.closeIfCreated(testbed);
    }

    @Test
    @Order(1)
    void shouldInstallFlannelsFiveRulesAndLeaveMasqueradingToWeftdNotTheBridgePlugin() throws IOException {
        String rules = iptables(cluster.node(1), "-S", CHAIN).stdout();

        assertThat(rules(cluster.node(1))).isEqualTo(RULES);
        assertThat(rules.lines().filter(line -> line.startsWith("-A ")).findFirst().orElse(""))
            .as("kube-proxy's marked packets return first").isEqualTo("-A " + CHAIN + " " + KUBE_PROXY_RETURN);
        assertThat(rules).contains("-s 10.244.0.0/16 -d 10.244.0.0/16 -j RETURN",
            "-s 10.244.0.0/16 ! -d 224.0.0.0/4 -j MASQUERADE --random-fully",
            "! -s 10.244.0.0/16 -d " + cluster.subnetOf(cluster.node(1)) + " -j RETURN",
            "! -s 10.244.0.0/16 -d 10.244.0.0/16 -j MASQUERADE --random-fully");
        assertThat(iptables(cluster.node(1), "-S", "POSTROUTING").stdout().lines()
            .filter(line -> line.startsWith("-A POSTROUTING")).findFirst().orElse(""))
            .as("hooked first").contains("-j " + CHAIN);
        assertThat(Files.readString(cluster.conflist(cluster.node(1)))).contains("\"ipMasq\" : false");
    }

    @Test
    @Order(2)
    void shouldReachAHostOutsideTheClusterMasqueradedAndPodsWithTheirOwnAddresses() {
        long returnsBefore = packets(cluster.node(1), "RETURN", "10.244.0.0/16", "10.244.0.0/16");
        assertThat(Ping.run(cluster.pod(1), cluster.pod(2).ip(), 3).received()).isEqualTo(3);
        assertThat(packets(cluster.node(1), "RETURN", "10.244.0.0/16", "10.244.0.0/16"))
            .as("pod to pod: not masqueraded").isGreaterThan(returnsBefore);

        assertThat(outside.exec(TIMEOUT, List.of("ip", "route", "get", cluster.pod(1).ip())).ok())
            .as("the outside host has no route back to a pod address").isFalse();
        long masqueradedBefore = packets(cluster.node(1), "MASQUERADE", "10.244.0.0/16", "!224.0.0.0/4");
        assertThat(Ping.run(cluster.pod(1), outside.ip(), 3).received())
            .as("the outside host has no route to 10.244.0.0/16: only a masqueraded ping gets an answer")
            .isEqualTo(3);
        assertThat(packets(cluster.node(1), "MASQUERADE", "10.244.0.0/16", "!224.0.0.0/4"))
            .isGreaterThan(masqueradedBefore);
    }

    @Test
    @Order(3)
    void shouldLeaveWhatKubeProxyMarkedForMasqueradeToKubeProxy() {
        // kube-proxy's KUBE-MARK-MASQ, played by a mangle rule: only the pod's pings to the outside host get the mark.
        List<String> mark = List.of("PREROUTING", "-s", cluster.pod(1).ip(), "-d", outside.ip(), "-j", "MARK",
            "--set-xmark", "0x4000/0x4000");
        mangle(cluster.node(1), "-I", mark);
        try {
            long returnsBefore = packets(cluster.node(1), "RETURN", "0.0.0.0/0", "0.0.0.0/0");
            assertThat(Ping.run(cluster.pod(1), outside.ip(), 3).received())
                .as("marked, weft does not masquerade it (and no kube-proxy here does): no answer").isZero();
            assertThat(packets(cluster.node(1), "RETURN", "0.0.0.0/0", "0.0.0.0/0"))
                .as("the mark rule returned them").isGreaterThan(returnsBefore);
        } finally {
            mangle(cluster.node(1), "-D", mark);
        }
        assertThat(Ping.run(cluster.pod(1), outside.ip(), 3).received()).as("unmarked again: masqueraded")
            .isEqualTo(3);
    }

    private static void mangle(Node node, String action, List<String> rule) {
        List<String> command = new ArrayList<>(List.of("iptables", "-w", "-t", "mangle", action));
        command.addAll(rule);
        node.exec(TIMEOUT, command).orThrow();
    }

    @Test
    @Order(4)
    void shouldPutTheRulesBackWhenAnotherToolFlushesThem() {
        iptables(cluster.node(1), "-F", CHAIN).orThrow();

        awaitRepair(cluster.node(1));
        assertThat(rules(cluster.node(1))).as("rules back within 15 s (checked every 5)").isEqualTo(RULES);
        assertThat(jumps(cluster.node(1))).isEqualTo(1);
    }

    @Test
    @Order(5)
    void shouldPutTheJumpBackWhenAnotherToolDeletesOnlyIt() {
        iptables(cluster.node(1), "-D", "POSTROUTING", "-m", "comment", "--comment", "weft masquerade", "-j", CHAIN)
            .orThrow();

        awaitRepair(cluster.node(1));
        assertThat(jumps(cluster.node(1))).as("jump back within 15 s (checked every 5)").isEqualTo(1);
        assertThat(rules(cluster.node(1))).isEqualTo(RULES);

        // Rules as written are left alone: past the next check, still one rewrite per removal.
        ManagedProcess.sleepMs(6_000);
        assertThat(cluster.weftd(1).process().logText().lines().filter(line -> line.contains("writing them again")))
            .as("rewrites in weftd's log").hasSize(2);
    }

    @Test
    @Order(5)
    void shouldCheckAtTheLowestPriorityWhileTheLanesKeepTheirs() throws IOException {
        long pid = cluster.weftd(1).process().pid();

        assertThat(niceOfThreads(pid, "weft-ip-masq")).as("the checker, whose iptables processes inherit it")
            .containsExactly(19);
        assertThat(niceOfThreads(pid, "weft-lane-")).isNotEmpty().containsOnly(niceOfThreads(pid, "java").get(0));
    }

    /** The nice value (proc(5) field 19) of each of the process's threads whose name starts with {@code name}. */
    private static List<Integer> niceOfThreads(long pid, String name) throws IOException {
        List<Integer> nice = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                if (Files.readString(task.resolve("comm")).strip().startsWith(name)) {
                    String stat = Files.readString(task.resolve("stat"));
                    nice.add(Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]));
                }
            }
        }
        return nice;
    }

    /** Waits up to 15 s for the chain to hold its rules and POSTROUTING to jump to it once. */
    private static void awaitRepair(Node node) {
        Await.until(Duration.ofSeconds(15), () -> rules(node) >= RULES && jumps(node) >= 1);
    }

    private static long jumps(Node node) {
        return iptables(node, "-S", "POSTROUTING").stdout().lines().filter(line -> line.endsWith("-j " + CHAIN))
            .count();
    }

    @Test
    @Order(6)
    void shouldKeepTheChainWhenWeftdStopsAndRemoveItOnCleanup() {
        cluster.weftd(2).stop();
        assertThat(rules(cluster.node(2))).as("pods' outbound NAT works on until the next weftd").isEqualTo(RULES);
        assertThat(jumps(cluster.node(2))).isEqualTo(1);

        ManagedProcess cleanup = cluster.node(2).start("weftd-cleanup", WeftdProcess.command(WeftdProcess.locateJar(),
            cluster.weftdArgs(cluster.node(2), List.of("--cleanup"))));
        assertThat(cleanup.waitFor(Duration.ofSeconds(30))).isTrue();
        assertThat(cleanup.exitCode()).as(cleanup.logText()).isZero();
        assertThat(iptables(cluster.node(2), "-S", CHAIN).ok()).as("chain gone").isFalse();
        assertThat(iptables(cluster.node(2), "-S", "POSTROUTING").stdout()).doesNotContain(CHAIN);
    }

    private static long rules(Node node) {
        return iptables(node, "-S", CHAIN).stdout().lines().filter(line -> line.startsWith("-A " + CHAIN)).count();
    }

    private static ExecResult iptables(Node node, String... args) {
        List<String> command = new ArrayList<>(List.of("iptables", "-w", "-t", "nat"));
        command.addAll(List.of(args));
        return node.exec(TIMEOUT, command);
    }

    /** The kernel's packet counter of the chain's rule with this target, source and destination. */
    private static long packets(Node node, String target, String source, String destination) {
        String listing = iptables(node, "-L", CHAIN, "-v", "-x", "-n").orThrow().stdout();
        return listing.lines().map(String::trim).map(line -> line.split("\\s+"))
            .filter(f -> f.length >= 9 && f[2].equals(target) && f[7].equals(source) && f[8].equals(destination))
            .mapToLong(f -> Long.parseLong(f[0])).findFirst()
            .orElseThrow(() -> new AssertionError("no " + target + " " + source + " -> " + destination + " in\n"
                + listing));
    }
}
