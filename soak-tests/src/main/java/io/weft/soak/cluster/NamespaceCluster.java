package io.weft.soak.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.soak.agent.AgentSettings;
import io.weft.soak.agent.Crafted;
import io.weft.soak.agent.Inject;
import io.weft.soak.agent.Peers;
import io.weft.soak.agent.PodAgent;
import io.weft.testbed.ExecResult;
import io.weft.testbed.Hub;
import io.weft.testbed.Iperf3;
import io.weft.testbed.Iperf3Result;
import io.weft.testbed.ManagedProcess;
import io.weft.testbed.Netns;
import io.weft.testbed.Node;
import io.weft.testbed.PatternStream;
import io.weft.testbed.Pod;
import io.weft.testbed.ProcReader;
import io.weft.testbed.ProcessSample;
import io.weft.testbed.Testbed;
import io.weft.testbed.TestbedException;
import io.weft.testbed.WeftdProcess;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * {@link SoakCluster} over the testbed: the hub namespace holds the underlay bridge and a 3-member etcd; node i is
 * namespace {@code n<i>} at 192.168.213.i running weftd.jar as shipped (etcd mode, {@code --ip-masq} so pods see each
 * other's addresses); each node has pods {@code a} and {@code b} attached by the CNI plugins with weftd's conflist.
 */
public final class NamespaceCluster implements SoakCluster {
    public static final String NETWORK = "10.244.0.0/16";
    public static final int BACKEND_PORT = 8285;
    public static final String ETCD_PREFIX = "/coreos.com/network";
    public static final String NETWORK_CONFIG = "{\"Network\":\"" + NETWORK
        + "\",\"Backend\":{\"Type\":\"udp\",\"Port\":" + BACKEND_PORT + "}}";
    static final List<String> POD_NAMES = List.of("a", "b");
    private static final String TUN = "flannel0";
    private static final Duration HEALTHY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration AGENT_READY_TIMEOUT = Duration.ofSeconds(30);
    private static final int CRASH_LINES = 24;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Testbed testbed;
    private final EtcdQuorum etcd;
    private final Path weftdJar;
    private final List<String> extraWeftdArgs;
    private final List<String> weftdJvmArgs;
    private final Map<String, Member> members = new LinkedHashMap<>();
    private int nextIndex = 1;

    /** A live node: its namespace, weftd's files, the running weftd, and its pods. */
    private static final class Member {
        final ClusterNode node;
        final Node netns;
        final Path dir;
        final Map<String, Pod> pods = new LinkedHashMap<>();
        final List<NamespaceAgent> agents = new ArrayList<>();
        volatile WeftdProcess weftd;

        Member(ClusterNode node, Node netns, Path dir) {
            this.node = node;
            this.netns = netns;
            this.dir = dir;
        }
    }

    private NamespaceCluster(Testbed testbed, EtcdQuorum etcd, Path weftdJar, List<String> extraWeftdArgs,
        List<String> weftdJvmArgs) {
        this.testbed = testbed;
        this.etcd = etcd;
        this.weftdJar = weftdJar;
        this.extraWeftdArgs = List.copyOf(extraWeftdArgs);
        this.weftdJvmArgs = List.copyOf(weftdJvmArgs);
    }

    /** Why this machine cannot run it (not root, no iproute2, CNI plugins, etcd, iperf3, tc), or empty. */
    public static Optional<String> unavailabilityCause() {
        Optional<String> testbed = Testbed.unavailabilityCause();
        if (testbed.isPresent()) {
            return testbed;
        }
        for (String program : List.of("etcd", "etcdctl", "iperf3", "tc", "curl")) {
            if (!onPath(program)) {
                return Optional.of("needs " + program + " on PATH");
            }
        }
        return Optional.empty();
    }

    /** Makes the testbed, starts etcd and writes flannel's config, then {@code nodeCount} nodes of weftd as shipped. */
    public static NamespaceCluster start(int nodeCount, List<String> extraWeftdArgs) {
        return start(nodeCount, extraWeftdArgs, List.of());
    }

    /** As {@link #start(int, List)}, weftd's JVM also given {@code weftdJvmArgs} (experiments only). */
    public static NamespaceCluster start(int nodeCount, List<String> extraWeftdArgs, List<String> weftdJvmArgs) {
        Testbed testbed = Testbed.create();
        try {
            EtcdQuorum etcd = EtcdQuorum.start(testbed.hub(), testbed.runDir().resolve("etcd"), ETCD_PREFIX,
                testbed.prefix());
            etcd.put(ETCD_PREFIX + "/config", NETWORK_CONFIG);
            NamespaceCluster cluster = new NamespaceCluster(testbed, etcd, WeftdProcess.locateJar(), extraWeftdArgs,
                weftdJvmArgs);
            cluster.addNodes(nodeCount);
            return cluster;
        } catch (RuntimeException e) {
            testbed.close();
            throw e;
        }
    }

    /** The testbed's per-run prefix (every namespace's name starts with it). */
    public String prefix() {
        return testbed.prefix();
    }

    @Override
    public String describe() {
        return "network namespaces on one underlay bridge (testbed " + testbed.prefix() + "), weftd.jar "
            + (weftdJvmArgs.isEmpty() && extraWeftdArgs.isEmpty() ? "as shipped" : "with " + extraWeftdArgs
            + (weftdJvmArgs.isEmpty() ? "" : " and JVM options " + weftdJvmArgs + " (not as shipped)"))
            + " in etcd mode, etcd with " + EtcdQuorum.MEMBERS + " members in the hub, pods attached by the CNI "
            + "bridge plugin with weftd's conflist";
    }

    @Override
    public synchronized List<ClusterNode> nodes() {
        return members.values().stream().map(m -> m.node).toList();
    }

    @Override
    public synchronized List<ClusterPod> pods(ClusterNode node) {
        Member member = member(node);
        return member.pods.values().stream().map(pod -> new ClusterPod(node, pod.label(), pod.ip())).toList();
    }

    @Override
    public ClusterNode addNode() {
        return addNodes(1).get(0);
    }

    private List<ClusterNode> addNodes(int count) {
        List<Member> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index;
            synchronized (this) {
                index = nextIndex++;
            }
            ClusterNode node = new ClusterNode("n" + index, "192.168.213." + index);
            Node netns = testbed.addNode(node.name(), node.underlayIp());
            Member member = new Member(node, netns, testbed.runDir().resolve("weftd-" + node.name()));
            member.weftd = startWeftd(member);
            added.add(member);
        }
        for (Member member : added) {
            member.weftd.awaitHealthy(HEALTHY_TIMEOUT);
            Path conflist = member.dir.resolve("net.d").resolve("10-weft.conflist");
            for (String podName : POD_NAMES) {
                member.pods.put(podName, member.netns.addPod(podName, conflist));
            }
            synchronized (this) {
                members.put(member.node.name(), member);
            }
        }
        return added.stream().map(m -> m.node).toList();
    }

    @Override
    public void removeNode(ClusterNode node) {
        Member member;
        synchronized (this) {
            member = member(node);
            members.remove(node.name());
        }
        member.agents.forEach(NamespaceAgent::stop);
        Optional<String> subnet = subnetOf(member);
        member.weftd.process().kill();
        subnet.ifPresent(s -> etcd.delete(etcd.subnetKey(s)));
    }

    @Override
    public int stopWeftd(ClusterNode node) {
        return member(node).weftd.stop();
    }

    @Override
    public void killWeftd(ClusterNode node) {
        member(node).weftd.process().kill();
    }

    @Override
    public void startWeftd(ClusterNode node, Duration healthyTimeout) {
        Member member = member(node);
        if (member.weftd.process().isAlive()) {
            throw new IllegalStateException("weftd on " + node + " is running");
        }
        member.weftd = startWeftd(member);
        member.weftd.awaitHealthy(healthyTimeout);
    }

    @Override
    public Optional<Integer> weftdExit(ClusterNode node) {
        ManagedProcess process = member(node).weftd.process();
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitCode());
    }

    /** weftd as shipped; only where a JVM crash writes its report is ours to choose (the run directory). */
    private WeftdProcess startWeftd(Member member) {
        return member.netns.startWeftd(weftdJar, weftdArgs(member), command -> {
            List<String> options = new ArrayList<>(List.of("-XX:ErrorFile=" + member.dir.resolve("hs_err_pid%p.log")));
            options.addAll(weftdJvmArgs);
            return WeftdProcess.withJvmOptions(command, options);
        });
    }

    /** The last lines weftd printed and, after a JVM crash, the crashing thread and its frames from the hs_err file. */
    @Override
    public String weftdLogTail(ClusterNode node, int lines) {
        Member member = member(node);
        List<String> all = member.weftd.process().logText().lines().toList();
        String tail = String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        Path crash = member.dir.resolve("hs_err_pid" + member.weftd.process().pid() + ".log");
        if (Files.isRegularFile(crash)) {
            try {
                List<String> report = Files.readAllLines(crash).stream()
                    .dropWhile(l -> !l.startsWith("Current thread")).limit(CRASH_LINES).toList();
                tail += "\n--- " + crash.getFileName() + " ---\n" + String.join("\n", report);
            } catch (IOException e) {
                tail += "\n--- " + crash + " unreadable: " + e + " ---";
            }
        }
        return tail;
    }

    @Override
    public Optional<Map<String, Number>> weftdMetrics(ClusterNode node) {
        Member member = member(node);
        if (!member.weftd.process().isAlive()) {
            return Optional.empty();
        }
        try {
            return Optional.of(member.weftd.metrics());
        } catch (TestbedException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<ProcessSample> sampleWeftd(ClusterNode node) {
        ManagedProcess process = member(node).weftd.process();
        return process.isAlive() ? ProcReader.sample(process.pid()) : Optional.empty();
    }

    @Override
    public Map<String, Long> nodeUdpCounters(ClusterNode node) {
        ManagedProcess process = member(node).weftd.process();
        return process.isAlive() ? ProcReader.udpCounters(process.pid()) : Map.of();
    }

    @Override
    public Optional<String> leasedSubnet(ClusterNode node) {
        return subnetOf(member(node));
    }

    @Override
    public boolean advertisesKey(ClusterNode node) {
        return subnetOf(member(node)).flatMap(subnet -> etcd.get(etcd.subnetKey(subnet))).map(NamespaceCluster::hasKey)
            .orElse(false);
    }

    @Override
    public void setUnderlayUp(ClusterNode node, boolean up) {
        exec(node, "ip", "link", "set", Node.UNDERLAY_IFACE, up ? "up" : "down");
    }

    @Override
    public void setUnderlayMtu(ClusterNode node, int mtu) {
        exec(node, "ip", "link", "set", Node.UNDERLAY_IFACE, "mtu", Integer.toString(mtu));
    }

    @Override
    public int underlayMtu(ClusterNode node) {
        String text = exec(node, "cat", "/sys/class/net/" + Node.UNDERLAY_IFACE + "/mtu").stdout().strip();
        return Integer.parseInt(text);
    }

    /**
     * {@code tc netem} on eth0 where the kernel has it (egress only, so both nodes' sides see it for traffic leaving
     * this node); else iptables' statistic match dropping that share of the datagrams to and from the overlay port,
     * without delay (no qdisc here can delay).
     */
    @Override
    public String impairUnderlay(ClusterNode node, int lossPercent, int delayMs) {
        Node netns = member(node).netns;
        ExecResult netem = netns.exec(Duration.ofSeconds(10), List.of("tc", "qdisc", "replace", "dev",
            Node.UNDERLAY_IFACE, "root", "netem", "delay", delayMs + "ms", "loss", lossPercent + "%"));
        if (netem.ok()) {
            return "tc netem delay " + delayMs + " ms loss " + lossPercent + "% on eth0 egress";
        }
        String probability = Double.toString(lossPercent / 100.0);
        for (String[] rule : statisticRules(probability)) {
            exec(node, rule);
        }
        return "iptables statistic: " + lossPercent + "% of UDP port " + BACKEND_PORT + " datagrams dropped both ways"
            + " on eth0, no delay (this kernel has no sch_netem: " + netem.stderr().strip() + ")";
    }

    @Override
    public void clearUnderlayImpairment(ClusterNode node) {
        Node netns = member(node).netns;
        netns.exec(Duration.ofSeconds(10), List.of("tc", "qdisc", "del", "dev", Node.UNDERLAY_IFACE, "root"));
        for (String chain : List.of("INPUT", "OUTPUT")) {
            String rules = netns.exec(Duration.ofSeconds(10), List.of("iptables", "-w", "5", "-S", chain)).stdout();
            for (String rule : rules.lines().filter(l -> l.startsWith("-A ") && l.contains("statistic")).toList()) {
                List<String> delete = new ArrayList<>(List.of("iptables", "-w", "5", "-D"));
                delete.addAll(List.of(rule.substring(3).split(" ")));
                netns.exec(Duration.ofSeconds(10), delete).orThrow();
            }
        }
    }

    private static List<String[]> statisticRules(String probability) {
        return List.of(
            new String[] {"iptables", "-w", "5", "-A", "INPUT", "-i", Node.UNDERLAY_IFACE, "-p", "udp", "--dport",
                Integer.toString(BACKEND_PORT), "-m", "statistic", "--mode", "random", "--probability", probability,
                "-j", "DROP"},
            new String[] {"iptables", "-w", "5", "-A", "OUTPUT", "-o", Node.UNDERLAY_IFACE, "-p", "udp", "--dport",
                Integer.toString(BACKEND_PORT), "-m", "statistic", "--mode", "random", "--probability", probability,
                "-j", "DROP"});
    }

    @Override
    public void deleteTunDevice(ClusterNode node) {
        exec(node, "ip", "link", "del", TUN);
    }

    @Override
    public boolean hasTunDevice(ClusterNode node) {
        return member(node).netns.exec(Duration.ofSeconds(10), List.of("ip", "link", "show", TUN)).ok();
    }

    @Override
    public Registry registry() {
        return etcd;
    }

    @Override
    public int backendPort() {
        return BACKEND_PORT;
    }

    @Override
    public Agent startAgent(ClusterPod clusterPod, AgentSettings settings) {
        Member member = member(clusterPod.node());
        Pod pod = member.pods.get(clusterPod.name());
        Path control = testbed.runDir().resolve("agents").resolve(clusterPod.node().name() + "-" + pod.label()
            + ".peers");
        try {
            Files.createDirectories(control.getParent());
            Peers.NONE.writeTo(control);
        } catch (IOException e) {
            throw new TestbedException("cannot write " + control + ": " + e, e);
        }
        AgentSettings own = new AgentSettings(pod.ip(), settings.epochNanos(), settings.probesPerSecond(),
            settings.udpPort(), settings.tcpPort(), settings.tcpBytesPerSecond(), settings.stallMs(),
            settings.lossHorizonMs(), control);
        List<String> command = java(PodAgent.class, "-Xmx48m", "-Xss512k", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");
        command.addAll(own.toArgs());
        ManagedProcess process = pod.start("agent", command);
        process.awaitLogLine(line -> line.startsWith("READY "), AGENT_READY_TIMEOUT);
        NamespaceAgent agent = new NamespaceAgent(clusterPod, process, control);
        synchronized (this) {
            member.agents.add(agent);
        }
        return agent;
    }

    @Override
    public Map<String, Map<Crafted, Integer>> inject(Optional<ClusterNode> from, List<InjectTarget> targets,
        int countEach, long seed) {
        Netns netns = from.isPresent() ? member(from.get()).netns : testbed.hub();
        String bind = from.map(ClusterNode::underlayIp).orElse(Hub.IP);
        List<String> command = java(Inject.class, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        command.addAll(List.of(Long.toString(seed), Integer.toString(countEach), bind));
        Map<String, String> nameByIp = new LinkedHashMap<>();
        for (InjectTarget target : targets) {
            nameByIp.put(target.node().underlayIp(), target.node().name());
            command.add(target.node().underlayIp() + ":" + BACKEND_PORT + ":" + target.innerSource() + ":"
                + target.innerDestination() + ":" + target.kinds().stream().map(Enum::name)
                .collect(Collectors.joining(",")));
        }
        ExecResult result = netns.exec(Duration.ofSeconds(60), command).orThrow();
        Map<String, Map<Crafted, Integer>> sent = new LinkedHashMap<>();
        for (String line : result.stdout().lines().toList()) {
            String[] fields = line.split(" ");
            if (fields.length == 4 && "SENT".equals(fields[0])) {
                sent.computeIfAbsent(nameByIp.get(fields[1]), k -> new LinkedHashMap<>())
                    .put(Crafted.valueOf(fields[2]), Integer.parseInt(fields[3]));
            }
        }
        return sent;
    }

    @Override
    public Burst bulkBurst(ClusterPod server, ClusterPod client, Duration duration, String bitrate) {
        Pod serverPod = member(server.node()).pods.get(server.name());
        Pod clientPod = member(client.node()).pods.get(client.name());
        try {
            Iperf3Result result = Iperf3.run(serverPod, serverPod.ip(), clientPod, Iperf3.DEFAULT_PORT,
                List.of("-t", Long.toString(duration.toSeconds()), "-b", bitrate));
            return new Burst(result.receivedBitsPerSecond(), null);
        } catch (TestbedException e) {
            return new Burst(0, e.getMessage().lines().findFirst().orElse("failed"));
        }
    }

    @Override
    public void close() {
        testbed.close();
    }

    private List<String> weftdArgs(Member member) {
        List<String> args = new ArrayList<>(List.of(
            "--etcd-endpoints", etcd.endpoints(), "--etcd-prefix", ETCD_PREFIX,
            "--public-ip", member.node.underlayIp(), "--iface", Node.UNDERLAY_IFACE,
            "--subnet-file", member.dir.resolve("subnet.env").toString(),
            "--cni-conf-dir", member.dir.resolve("net.d").toString(),
            "--ip-masq"));
        args.addAll(extraWeftdArgs);
        return args;
    }

    /** A lease that is not JSON, as garbage the soak wrote, has no key. */
    private static boolean hasKey(String lease) {
        try {
            return JSON.readTree(lease).path("BackendData").path("WeftKey").isTextual();
        } catch (IOException e) {
            return false;
        }
    }

    private Optional<String> subnetOf(Member member) {
        Path file = member.dir.resolve("subnet.env");
        try {
            return Files.readAllLines(file).stream().filter(l -> l.startsWith("FLANNEL_SUBNET=")).findFirst()
                .map(line -> {
                    String gateway = line.substring("FLANNEL_SUBNET=".length(), line.indexOf('/'));
                    return gateway.substring(0, gateway.lastIndexOf('.')) + ".0" + line.substring(line.indexOf('/'));
                });
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private synchronized Member member(ClusterNode node) {
        Member member = members.get(node.name());
        if (member == null) {
            throw new IllegalArgumentException("no live node " + node);
        }
        return member;
    }

    private ExecResult exec(ClusterNode node, String... command) {
        return member(node).netns.exec(Duration.ofSeconds(10), List.of(command)).orThrow();
    }

    /** {@code java <options> -cp <where the agent and its libraries are> <main>}: the pods run our own classes. */
    private static List<String> java(Class<?> main, String... options) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString()));
        command.addAll(List.of(options));
        Set<String> classPath = new LinkedHashSet<>();
        for (Class<?> type : List.of(main, Histogram.class, PatternStream.class)) {
            classPath.add(location(type));
        }
        command.addAll(List.of("-cp", String.join(":", classPath), main.getName()));
        return command;
    }

    private static String location(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new TestbedException("cannot tell where " + type.getName() + " was loaded from");
        }
        try {
            return Path.of(source.getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new TestbedException("bad class location " + source.getLocation(), e);
        }
    }

    private static boolean onPath(String program) {
        for (String dir : (System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
