package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** weftd's setup errors, shutdown and what it does when the node changes under it, on real namespaces. */
class WeftdLifecycleTest {
    /** sched(7). */
    private static final int SCHED_IDLE = 5;

    /**
     * A stop leaves flannel0 (persistent, no queue: NO-CARRIER), its address, route and blackhole, and the --ip-masq
     * rules, so pods' traffic is dropped at the device until the next weftd, which attaches to it; --cleanup removes
     * all of it. Before, a stop deleted the device and route, and the kernel routed pod traffic to the default route.
     */
    @Test
    void shouldKeepFlannel0AndItsRoutesOnSigtermAndRemoveThemOnCleanup() {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            Node node = testbed.addNode("n1", OverlayCluster.underlayIp(1));
            Map<String, String> leases = Map.of("10.244.1.0/24", node.ip());
            StaticLeases.write(testbed.runDir().resolve("leases.json"), OverlayCluster.NETWORK, 24, 8285, leases);
            // A host that skips linkdown routes for new devices: weftd's own device must not follow it.
            node.exec("sysctl", "-q", "-w", "net.ipv4.conf.default.ignore_routes_with_linkdown=1").orThrow();
            WeftdProcess weftd = node.startWeftd(args(testbed, node, List.of("--ip-masq")))
                .awaitHealthy(Duration.ofSeconds(30));
            assertThat(node.exec("ip", "route").stdout()).contains("10.244.0.0/16 dev flannel0");

            weftd.stop();
            assertThat(weftd.process().isAlive()).isFalse();
            assertThat(weftd.process().logText()).contains("stopped: flannel0, its routes, --ip-masq rules and the"
                + " lease kept")
                // the steps of its start, as the bench's Footprint reads them
                .containsPattern("INFO forwarding .*; set up in \\d+ ms \\(underlay \\d+, .*, iptables \\d+, .*"
                    + "snapshot \\d+, lanes \\d+, hand-over socket \\d+\\)\n");
            assertThat(node.exec("ip", "-o", "link", "show", "flannel0").stdout()).contains("NO-CARRIER")
                .contains("mtu 1472");
            assertThat(node.exec("ip", "-o", "addr", "show", "flannel0").stdout()).contains("inet 10.244.1.0/32");
            assertThat(node.exec("ip", "route").stdout()).contains("10.244.0.0/16 dev flannel0")
                .contains("blackhole 10.244.0.0/16");
            assertThat(node.exec("cat", "/proc/sys/net/ipv4/conf/flannel0/ignore_routes_with_linkdown").stdout())
                .isEqualTo("0\n");
            assertThat(node.exec("iptables", "-t", "nat", "-S").stdout()).contains("WEFT-POSTRTG");

            WeftdProcess again = node.startWeftd(args(testbed, node, List.of("--ip-masq")))
                .awaitHealthy(Duration.ofSeconds(30));
            assertThat(again.process().logText()).contains("attached to the existing flannel0")
                .contains("the nat rules in WEFT-POSTRTG are in place already: kept as they are");
            assertThat(node.exec("ip", "-o", "link", "show", "flannel0").stdout()).doesNotContain("NO-CARRIER");
            again.stop();

            ManagedProcess cleanup = node.start("weftd-cleanup", WeftdProcess.command(WeftdProcess.locateJar(),
                args(testbed, node, List.of("--cleanup"))));
            assertThat(cleanup.waitFor(Duration.ofSeconds(30))).isTrue();
            assertThat(cleanup.exitCode()).as(cleanup.logText()).isZero();
            assertThat(node.exec("ip", "link").stdout()).doesNotContain("flannel0");
            assertThat(node.exec("ip", "route").stdout()).doesNotContain("10.244.0.0/16");
            assertThat(node.exec("iptables", "-t", "nat", "-S").stdout()).doesNotContain("WEFT");
        }
    }

    /** A device of our name that weftd cannot attach to (here a bridge) is deleted and made anew, saying why. */
    @Test
    void shouldReplaceAFlannel0ThatIsNotAMultiQueueTun() {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            Node node = testbed.addNode("n1", OverlayCluster.underlayIp(1));
            StaticLeases.write(testbed.runDir().resolve("leases.json"), OverlayCluster.NETWORK, 24, 8285,
                Map.of("10.244.1.0/24", node.ip()));
            node.exec("ip", "link", "add", "flannel0", "type", "bridge").orThrow();

            WeftdProcess weftd = node.startWeftd(args(testbed, node, List.of())).awaitHealthy(Duration.ofSeconds(30));
            assertThat(weftd.process().logText()).contains("flannel0 exists but it is not a multi-queue TUN");
            assertThat(node.exec("ip", "-d", "link", "show", "flannel0").stdout()).contains("tun type tun")
                .contains("multi_queue");
            weftd.stop();
        }
    }

    /**
     * The build leaves weftd.jsa beside the jar (the classes a start loads, from its training run) and the testbed
     * maps it as the launchers do: with -Xshare:on a JVM that cannot use it refuses to start (another jar, another
     * java, a stale archive), so this weftd forwarding says the archive fits. The archive is a static one, which
     * JDK 17 lets hold classes compiled for Java 5 (picocli's): a dynamic one left them to be loaded at every start.
     */
    @Test
    void shouldStartFromTheClassArchiveTheBuildMadeBesideTheJar() throws IOException {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            Path jar = WeftdProcess.locateJar();
            assumeTrue(System.getProperty(WeftdProcess.JAR_PROPERTY, "").isBlank(),
                "-D" + WeftdProcess.JAR_PROPERTY + " names a jar of its own, which no build archived here");
            assertThat(jar.resolveSibling(WeftdProcess.CLASS_ARCHIVE_FILE)).as("the build's class archive")
                .isRegularFile();
            Node node = testbed.addNode("n1", OverlayCluster.underlayIp(1));
            StaticLeases.write(testbed.runDir().resolve("leases.json"), OverlayCluster.NETWORK, 24, 8285,
                Map.of("10.244.1.0/24", node.ip()));
            Path classLoads = testbed.runDir().resolve("class-loads.txt");
            WeftdProcess weftd = node.startWeftd(jar, args(testbed, node, List.of()),
                command -> WeftdProcess.withJvmOptions(command, List.of("-Xshare:on",
                    "-Xlog:class+load=info:file=" + classLoads))).awaitHealthy(Duration.ofSeconds(30));

            assertThat(weftd.process().command()).contains("-XX:SharedArchiveFile="
                + jar.resolveSibling(WeftdProcess.CLASS_ARCHIVE_FILE));
            weftd.stop();
            assertThat(Files.readAllLines(classLoads)).as("how picocli's command line class was loaded")
                .anyMatch(line -> line.contains(" picocli.CommandLine source: shared objects file"));
        }
    }

    /**
     * Once forwarding, weftd's JIT compiler threads are under SCHED_IDLE (so a compilation cannot hold a lane's core
     * while a packet waits) but while starved, and only they; --jit-threads normal leaves them as they were.
     */
    @Test
    void shouldRunTheJitCompilerThreadsUnderSchedIdleOnceForwarding() throws IOException {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            Node node = testbed.addNode("n1", OverlayCluster.underlayIp(1));
            StaticLeases.write(testbed.runDir().resolve("leases.json"), OverlayCluster.NETWORK, 24, 8285,
                Map.of("10.244.1.0/24", node.ip()));
            WeftdProcess weftd = node.startWeftd(args(testbed, node, List.of())).awaitHealthy(Duration.ofSeconds(30));
            weftd.process().awaitLogLine(line -> line.contains("run under SCHED_IDLE while they are not starved"),
                Duration.ofSeconds(30));
            // One starved at the start is back under the normal policy until it has compiled what it holds.
            Map<Boolean, List<ProcReader.ThreadSample>> byCompiler = awaitCompilersIdle(weftd, Duration.ofSeconds(30));
            assertThat(byCompiler.get(true)).as("the JIT compiler threads").isNotEmpty()
                .allMatch(thread -> thread.policy() == SCHED_IDLE);
            assertThat(byCompiler.get(false)).as("every other thread").isNotEmpty()
                .noneMatch(thread -> thread.policy() == SCHED_IDLE);
            weftd.stop();

            WeftdProcess normal = node.startWeftd(args(testbed, node, List.of("--jit-threads", "normal")))
                .awaitHealthy(Duration.ofSeconds(30));
            normal.process().awaitLogLine(line -> line.contains("JIT compiler threads keep the normal policy"),
                Duration.ofSeconds(30));
            assertThat(ProcReader.threads(normal.process().pid())).as("threads with --jit-threads normal")
                .noneMatch(thread -> thread.policy() == SCHED_IDLE);
            normal.stop();
        }
    }

    /** weftd's threads by whether they are JIT compiler threads, once those are all idle or at the deadline. */
    private static Map<Boolean, List<ProcReader.ThreadSample>> awaitCompilersIdle(WeftdProcess weftd,
        Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<Boolean, List<ProcReader.ThreadSample>> byCompiler = ProcReader.threads(weftd.process().pid())
                .stream().collect(Collectors.partitioningBy(thread -> thread.name().contains("CompilerThre")));
            if (byCompiler.get(true).stream().allMatch(thread -> thread.policy() == SCHED_IDLE)
                || System.nanoTime() - deadline > 0) {
                return byCompiler;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return byCompiler;
            }
        }
    }

    /**
     * flanneld's --healthz-ip/--healthz-port (its defaults: 0.0.0.0, and port 0 for none) serve the probes on a port
     * of their own, on every address; /metrics stays on --metrics-port, which serves the probes too.
     */
    @Test
    void shouldServeTheProbesOnFlanneldsHealthzPortAndMetricsOnlyOnItsOwnPort() {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            Node node = testbed.addNode("n1", OverlayCluster.underlayIp(1));
            StaticLeases.write(testbed.runDir().resolve("leases.json"), OverlayCluster.NETWORK, 24, 8285,
                Map.of("10.244.1.0/24", node.ip()));
            WeftdProcess weftd = node.startWeftd(args(testbed, node, List.of("--healthz-port", "9301")))
                .awaitHealthy(Duration.ofSeconds(30));

            assertThat(httpStatus(node, node.ip() + ":9301/healthz")).isEqualTo("200");
            assertThat(httpStatus(node, "127.0.0.1:9301/readyz")).isEqualTo("200");
            assertThat(httpStatus(node, "127.0.0.1:9301/metrics")).isEqualTo("404");
            assertThat(httpStatus(node, "127.0.0.1:" + WeftdProcess.DEFAULT_METRICS_PORT + "/metrics"))
                .isEqualTo("200");
            assertThat(httpStatus(node, node.ip() + ":" + WeftdProcess.DEFAULT_METRICS_PORT + "/metrics"))
                .as("--metrics-ip is 127.0.0.1 by default").isEqualTo("000");
            weftd.stop();
        }
    }

    /**
     * flannel0 carries IPv4 only. With IPv6 on, the kernel gave it a link-local address and sent router solicitations
     * and MLD reports from it, which weftd read and counted as not_ipv4 drops, with a warning each time (the soak's
     * only drops in quiet time). The first solicitation leaves within a second or so of the link going up, the next
     * ones seconds apart: a few seconds show them.
     */
    @Test
    void shouldGiveFlannel0NoIpv6AndSoCountNoNotIpv4Drop() throws InterruptedException {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            Node node = testbed.addNode("n1", OverlayCluster.underlayIp(1));
            Map<String, String> leases = Map.of("10.244.1.0/24", node.ip());
            StaticLeases.write(testbed.runDir().resolve("leases.json"), OverlayCluster.NETWORK, 24, 8285, leases);
            WeftdProcess weftd = node.startWeftd(args(testbed, node, List.of())).awaitHealthy(Duration.ofSeconds(30));
            Thread.sleep(6_000);

            assertThat(node.exec("ip", "-6", "-o", "addr", "show", "dev", "flannel0").stdout()).isEmpty();
            Number notIpv4 = weftd.metrics().get("weft_drops_total{direction=\"tun_to_udp\",reason=\"not_ipv4\"}");
            assertThat(notIpv4 == null ? 0 : notIpv4.longValue()).as("tun_to_udp not_ipv4 drops").isZero();
            assertThat(weftd.process().logText()).doesNotContain("not_ipv4");
        }
    }

    /**
     * Someone deletes flannel0 under a running weftd (ip link del): every queue fd fails with EBADFD from then on.
     * Before, the lanes polled the dead fds in a busy loop (a core each, 880,000 "tun_read_error" drops a second
     * logged) and the node was cut off until a restart. Now each lane ends at its first EBADFD and weftd makes the
     * device again, with its offloads, address, MTU and route, and forwards as before.
     */
    @Test
    void shouldMakeFlannel0AgainWhenItIsDeletedAndForwardAsBefore() {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            OverlayCluster cluster = twoNodesPingingEachOther(testbed);
            Node node = cluster.node(1);
            String linkBefore = node.exec("ip", "-o", "link", "show", "flannel0").stdout();

            assertThat(node.exec("ip", "link", "del", "flannel0").exitCode()).isZero();
            awaitOverlayRoute(node);

            String linkAfter = node.exec("ip", "-o", "link", "show", "flannel0").stdout();
            assertThat(linkAfter).as("a new device, not the old one").isNotEqualTo(linkBefore)
                .contains("mtu 1472").contains("qlen 10000").contains("UP");
            assertThat(node.exec("ip", "-o", "addr", "show", "flannel0").stdout()).contains("inet 10.244.1.0/32");
            assertPodsPingEachOther(cluster, 3);
            TcpTransfer.Result transfer = TcpTransfer.run(cluster.pod(1), cluster.pod(2), 20L << 20);
            assertThat(transfer.intact()).as(transfer.report()).isTrue();

            WeftdProcess weftd = cluster.weftd(1);
            assertThat(weftd.process().isAlive()).isTrue();
            Map<String, Number> metrics = weftd.metrics();
            assertThat(metrics.get("weft_tun_repairs_total{repair=\"device\"}").longValue()).isEqualTo(1);
            assertThat(metrics).as("the kernel's queues in front of weftd, the new flannel0's included")
                .containsKeys("weft_kernel_drops_total{queue=\"udp_socket\"}",
                    "weft_kernel_drops_total{queue=\"tun\"}");
            long lanes = metrics.get("weft_lanes").longValue();
            // One failed read per lane, not a busy loop of them.
            assertThat(metrics.get("weft_drops_total{direction=\"tun_to_udp\",reason=\"tun_read_error\"}")
                .longValue()).isBetween(1L, lanes);
            assertThat(metrics.get("weft_offload_enabled{offload=\"tun_tso\"}").longValue()).isEqualTo(1);
            String log = weftd.process().logText();
            assertThat(log).contains("flannel0 was deleted under weftd").contains("flannel0 made again: forwarding")
                .doesNotContain("data path error");
        }
    }

    /**
     * Setting a link down flushes the routes through it, and up again does not bring them back: before, one
     * `ip link set flannel0 down; ip link set flannel0 up` sent the node's traffic to other nodes' pods to the default
     * route until weftd restarted.
     */
    @Test
    void shouldAddTheRouteAgainWhenFlannel0ComesBackUpButNotWhileItIsDown() {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            OverlayCluster cluster = twoNodesPingingEachOther(testbed);
            Node node = cluster.node(1);

            assertThat(node.exec("ip", "link", "set", "flannel0", "down").exitCode()).isZero();
            // Only the blackhole is left: the other nodes' pods are unreachable, not reached by the default route.
            assertThat(node.exec("ip", "route").stdout()).doesNotContain("10.244.0.0/16 dev")
                .contains("blackhole 10.244.0.0/16");
            ManagedProcess.sleepMs(2500);
            assertThat(node.exec("ip", "-o", "link", "show", "flannel0").stdout())
                .as("down is the operator's choice: weftd leaves the link down").doesNotContain(",UP");
            assertThat(node.exec("ip", "route").stdout()).as("and nothing routes into a link that is down")
                .doesNotContain("10.244.0.0/16 dev");

            assertThat(node.exec("ip", "link", "set", "flannel0", "up").exitCode()).isZero();
            awaitOverlayRoute(node);
            assertPodsPingEachOther(cluster, 3);
            WeftdProcess weftd = cluster.weftd(1);
            assertThat(weftd.metrics().get("weft_tun_repairs_total{repair=\"route\"}").longValue()).isEqualTo(1);
            assertThat(weftd.process().logText())
                .contains("the route 10.244.0.0/16 dev flannel0 had gone (was the link set down and up?): "
                    + "added it again")
                .doesNotContain("cannot check the route");
        }
    }

    /**
     * The underlay's MTU drops under a running weftd (an operator's change, or a path MTU learnt from an ICMP): the
     * kernel now refuses every UDP GSO send of MTU-sized datagrams (EMSGSIZE), while one datagram per message still
     * goes, fragmented. Before, TCP through the overlay crawled on retransmitted single segments; now the lane stops
     * GSO once and says so.
     */
    @Test
    void shouldKeepCarryingTcpWhenTheUnderlayMtuDropsBelowItsDatagrams() {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            OverlayCluster cluster = OverlayCluster.startStatic(testbed, 2, List.of());
            assertThat(cluster.node(1).exec("ip", "link", "set", "eth0", "mtu", "1400").exitCode()).isZero();

            TcpTransfer.Result transfer = TcpTransfer.run(cluster.pod(1), cluster.pod(2), 20L << 20);

            assertThat(transfer.intact()).as(transfer.report()).isTrue();
            WeftdProcess weftd = cluster.weftd(1);
            Map<String, Number> metrics = weftd.metrics();
            assertThat(metrics.get("weft_offload_runtime_fallbacks_total{offload=\"udp_gso\"}").longValue())
                .isBetween(1L, metrics.get("weft_lanes").longValue());
            assertThat(weftd.process().logText()).contains("the kernel refused a UDP GSO send of")
                .contains("this lane sends one datagram per message from now on");
            assertThat(Await.until(Duration.ofSeconds(5),
                () -> weftd.metrics().get("weft_offload_enabled{offload=\"udp_gso\"}").longValue() == 0))
                .as("/metrics says GSO is no longer in use (the main loop notes it within a second)").isTrue();
        }
    }

    @Test
    void shouldExitOneNamingWhyWhenFlannel0CannotBeMadeAgain() {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            OverlayCluster cluster = OverlayCluster.startStatic(testbed, 1, List.of());
            // Another tool takes the name in the moment between the deletion and weftd's next look (should weftd
            // look first, its new device is deleted again).
            assertThat(cluster.node(1).exec("sh", "-c", "for i in 1 2 3 4 5; do ip link del flannel0; "
                + "ip link add flannel0 type bridge && exit 0; done; exit 1").exitCode()).isZero();
            ManagedProcess weftd = cluster.weftd(1).process();

            assertThat(weftd.waitFor(Duration.ofSeconds(15))).isTrue();
            assertThat(weftd.exitCode()).isEqualTo(1);
            assertThat(weftd.logText()).contains("weftd: cannot make flannel0 again after it was deleted: "
                + "cannot create TUN device flannel0 (TUNSETIFF): EINVAL (Invalid argument) - name in use by a device "
                + "that is not a TUN of these flags").doesNotContain("\tat ");
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
                WeftdProcess.command(WeftdProcess.locateJar(), List.of("--kube-subnet-manager")));
            assertThat(weftd.waitFor(Duration.ofSeconds(30))).isTrue();
            assertThat(weftd.exitCode()).isEqualTo(2);
            assertThat(lastLine(weftd.logText()))
                .isEqualTo("weftd: unknown flag --kube-subnet-manager (see weftd --help)");
        }
    }

    private static String httpStatus(Node node, String hostPortPath) {
        return node.exec("curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", "http://" + hostPortPath)
            .stdout();
    }

    private static List<String> args(Testbed testbed, Node node, List<String> extra) {
        List<String> args = new ArrayList<>(List.of(
            "--static-leases", testbed.runDir().resolve("leases.json").toString(),
            "--public-ip", node.ip(), "--subnet-file", testbed.runDir().resolve("subnet.env").toString(),
            "--cni-conf-dir", testbed.runDir().resolve("net.d").toString()));
        args.addAll(extra);
        return args;
    }

    private static OverlayCluster twoNodesPingingEachOther(Testbed testbed) {
        OverlayCluster cluster = OverlayCluster.startStatic(testbed, 2, List.of());
        assertPodsPingEachOther(cluster, 2);
        return cluster;
    }

    private static void assertPodsPingEachOther(OverlayCluster cluster, int count) {
        assertThat(Ping.run(cluster.pod(1), cluster.pod(2).ip(), count).received()).isEqualTo(count);
        assertThat(Ping.run(cluster.pod(2), cluster.pod(1).ip(), count).received()).isEqualTo(count);
    }

    /** weftd checks once a second; 15 s leaves room for a slow machine. */
    private static void awaitOverlayRoute(Node node) {
        assertThat(Await.until(Duration.ofSeconds(15),
            () -> node.exec("ip", "route").stdout().contains("10.244.0.0/16 dev flannel0")))
            .as("10.244.0.0/16 dev flannel0 within 15 s: " + node.exec("ip", "route").stdout()).isTrue();
    }

    /** The error line; also checks that no stack trace came with it. */
    static String lastLine(String log) {
        assertThat(log).doesNotContain("\tat ").doesNotContain("Exception");
        List<String> lines = log.strip().lines().toList();
        return lines.get(lines.size() - 1);
    }
}
