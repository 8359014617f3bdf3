package io.weft.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A cluster node: namespace {@code <prefix>-<name>} with lo, eth0 on the underlay, and IPv4 forwarding on. */
public final class Node implements Netns {
    public static final String UNDERLAY_IFACE = "eth0";

    private final Testbed testbed;
    private final String label;
    private final String name;
    private final String ip;
    private final Map<String, Pod> pods = new LinkedHashMap<>();

    private Node(Testbed testbed, String label, String ip) {
        this.testbed = testbed;
        this.label = label;
        this.name = testbed.namespaceName(label);
        this.ip = ip;
    }

    static Node create(Testbed testbed, String label, String ip) {
        Underlay.checkNodeAddress(ip);
        Node node = new Node(testbed, label, ip);
        String hubPort = "ul-" + label;
        testbed.addNamespace(node.name);
        // Both veth ends are born inside their namespaces: the root namespace never holds them.
        testbed.host("ip", "link", "add", UNDERLAY_IFACE, "netns", node.name, "type", "veth",
            "peer", "name", hubPort, "netns", testbed.hub().name());
        testbed.hub().attach(hubPort);
        testbed.host("ip", "-n", node.name, "link", "set", "lo", "up");
        testbed.host("ip", "-n", node.name, "addr", "add", ip + "/" + Underlay.PREFIX_LENGTH, "dev", UNDERLAY_IFACE);
        testbed.host("ip", "-n", node.name, "link", "set", UNDERLAY_IFACE, "up");
        node.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow();
        return node;
    }

    /** The short name given to {@link Testbed#addNode}, e.g. {@code n1}. */
    public String label() {
        return label;
    }

    @Override
    public String name() {
        return name;
    }

    /** The node's underlay (public) address on eth0. */
    public String ip() {
        return ip;
    }

    public Testbed testbed() {
        return testbed;
    }

    @Override
    public ExecResult exec(Duration timeout, List<String> command) {
        return testbed.exec(name, timeout, command);
    }

    @Override
    public ManagedProcess start(String processName, List<String> command) {
        return testbed.start(name, processName, command);
    }

    /** Adds (or replaces) a kernel route, e.g. host-gw style {@code 10.244.2.0/24 via 192.168.213.2}. */
    public void addRoute(String cidr, String via) {
        exec("ip", "route", "replace", cidr, "via", via).orThrow();
    }

    /** Adds a pod attached by the CNI plugins of a conflist file (see {@link #addPod(String, String)}). */
    public Pod addPod(String podLabel, Path conflist) {
        try {
            return addPod(podLabel, Files.readString(conflist));
        } catch (IOException e) {
            throw new TestbedException("cannot read conflist " + conflist + ": " + e, e);
        }
    }

    /**
     * Adds a pod: namespace {@code <prefix>-<node>-<pod>}, lo up, attached by running each plugin of the conflist
     * (CNI 0.3.1 chaining) inside this node's namespace. The only change made to the conflist is ipam.dataDir, set to
     * a per-node directory of the run.
     */
    public Pod addPod(String podLabel, String conflistJson) {
        Testbed.checkLabel(podLabel);
        synchronized (pods) {
            if (pods.containsKey(podLabel)) {
                throw new IllegalArgumentException("pod " + podLabel + " exists on " + label);
            }
        }
        String podNetns = testbed.namespaceName(label + "-" + podLabel);
        testbed.addNamespace(podNetns);
        testbed.host("ip", "-n", podNetns, "link", "set", "lo", "up");
        Path ipamDir = testbed.runDir().resolve("ipam").resolve(label);
        CniResult result = Cni.add(this, podNetns, conflistJson, ipamDir);
        Pod pod = new Pod(this, podLabel, podNetns, result);
        synchronized (pods) {
            pods.put(podLabel, pod);
        }
        return pod;
    }

    public List<Pod> pods() {
        synchronized (pods) {
            return List.copyOf(pods.values());
        }
    }

    /** Starts weftd from the jar that {@link WeftdProcess#locateJar()} finds. */
    public WeftdProcess startWeftd(List<String> args) {
        return startWeftd(WeftdProcess.locateJar(), args);
    }

    /** Starts {@code java -jar <jar> <args>} in this node as process "weftd". */
    public WeftdProcess startWeftd(Path jar, List<String> args) {
        return startWeftd(jar, args, UnaryOperator.identity());
    }

    /** As {@link #startWeftd(Path, List)}, the command run as {@code launcher} makes it (e.g. under taskset). */
    public WeftdProcess startWeftd(Path jar, List<String> args, UnaryOperator<List<String>> launcher) {
        ManagedProcess process = start("weftd", launcher.apply(WeftdProcess.command(jar, args)));
        return new WeftdProcess(this, process, WeftdProcess.metricsEndpoint(args));
    }

    /** Fetches {@code http://127.0.0.1:<port>/metrics} from inside this node. */
    public Map<String, Number> metrics(int port) {
        return Metrics.fetch(this, port);
    }

    @Override
    public String toString() {
        return name + "(" + ip + ")";
    }
}
