package io.weft.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.Map;

/**
 * A weft cluster in a {@link Testbed}: node i has underlay address 192.168.213.i, runs weftd, and gets one pod ("a")
 * attached by the CNI plugins with the conflist weftd wrote. Leases come from a throwaway etcd in the hub (as in
 * production: each weftd leases a random free subnet) or from a static lease file (node i leases 10.244.i.0/24).
 */
public final class OverlayCluster {
    public static final String NETWORK = "10.244.0.0/16";
    public static final int BACKEND_PORT = 8285;
    public static final String ETCD_PREFIX = "/coreos.com/network";
    public static final String NETWORK_CONFIG =
        "{\"Network\":\"" + NETWORK + "\",\"Backend\":{\"Type\":\"udp\",\"Port\":"
        + BACKEND_PORT + "}}";
    private static final Duration HEALTHY_TIMEOUT = Duration.ofSeconds(30);

    private final Testbed testbed;
    private final Etcd etcd;
    private final Path leaseFile;
    private final List<String> extraWeftdArgs;
    /** Turns node i's weftd command into what is run, e.g. under taskset; identity unless given. */
    private BiFunction<Integer, List<String>, List<String>> weftdLauncher = (node, command) -> command;
    /**
     * With (the default), weftd runs with --ip-masq and pods get the conflist it wrote; without, no node has a nat
     * rule: weftd runs with --ip-masq=false and the pods' conflist does not masquerade either (the benchmark's
     * second mode, in which the kernel tracks no connection).
     */
    private boolean natRules = true;
    private final List<Node> nodes = new ArrayList<>();
    private final List<WeftdProcess> daemons = new ArrayList<>();
    private final List<Pod> pods = new ArrayList<>();

    private OverlayCluster(Testbed testbed, Etcd etcd, Path leaseFile, List<String> extraWeftdArgs) {
        this.testbed = testbed;
        this.etcd = etcd;
        this.leaseFile = leaseFile;
        this.extraWeftdArgs = List.copyOf(extraWeftdArgs);
    }

    /**
     * Starts etcd in the hub, writes the network config, then {@code nodeCount} nodes with weftd and a pod each.
     * weftd runs with {@code --ip-masq} so the bridge plugin does not masquerade pod-to-pod traffic (pods see each
     * other's real addresses), plus {@code extraWeftdArgs}.
     */
    public static OverlayCluster start(Testbed testbed, int nodeCount, List<String> extraWeftdArgs) {
        return start(testbed, nodeCount, extraWeftdArgs, (node, command) -> command);
    }

    /** As {@link #start(Testbed, int, List)}, node i's weftd command run as {@code launcher.apply(i, command)}. */
    public static OverlayCluster start(Testbed testbed, int nodeCount, List<String> extraWeftdArgs,
        BiFunction<Integer, List<String>, List<String>> launcher) {
        return start(testbed, nodeCount, extraWeftdArgs, launcher, true);
    }

    /** As {@link #start(Testbed, int, List, BiFunction)}, without any nat rule unless {@code natRules}. */
    public static OverlayCluster start(Testbed testbed, int nodeCount, List<String> extraWeftdArgs,
        BiFunction<Integer, List<String>, List<String>> launcher, boolean natRules) {
        return start(testbed, nodeCount, extraWeftdArgs, launcher, natRules, NETWORK_CONFIG);
    }

    /**
     * As {@link #start(Testbed, int, List, BiFunction, boolean)} with {@code networkConfig} as flannel's network
     * config instead of {@link #NETWORK_CONFIG}: e.g. a longer SubnetLen, for thousands of leases in one network.
     */
    public static OverlayCluster start(Testbed testbed, int nodeCount, List<String> extraWeftdArgs,
        BiFunction<Integer, List<String>, List<String>> launcher, boolean natRules, String networkConfig) {
        Etcd etcd = Etcd.start(testbed);
        etcd.put(ETCD_PREFIX + "/config", networkConfig);
        OverlayCluster cluster = new OverlayCluster(testbed, etcd, null, extraWeftdArgs);
        cluster.weftdLauncher = launcher;
        cluster.natRules = natRules;
        cluster.addNodes(nodeCount);
        return cluster;
    }

    /** As {@link #start} but with a static lease file instead of etcd: node i leases 10.244.i.0/24. */
    public static OverlayCluster startStatic(Testbed testbed, int nodeCount, List<String> extraWeftdArgs) {
        OverlayCluster cluster = new OverlayCluster(testbed, null,
            writeStaticLeases(testbed, Collections.nCopies(nodeCount, extraWeftdArgs)), extraWeftdArgs);
        cluster.addNodes(nodeCount);
        return cluster;
    }

    /**
     * As {@link #startStatic(Testbed, int, List)}, node i's weftd command run as {@code launcher.apply(i, command)}:
     * e.g. under {@code taskset}, so weftd sizes itself (lanes, JVM threads) for the CPUs it is given.
     */
    public static OverlayCluster startStatic(Testbed testbed, int nodeCount, List<String> extraWeftdArgs,
        BiFunction<Integer, List<String>, List<String>> launcher) {
        return startStatic(testbed, nodeCount, extraWeftdArgs, launcher, true);
    }

    /** As {@link #startStatic(Testbed, int, List, BiFunction)}, without any nat rule unless {@code natRules}. */
    public static OverlayCluster startStatic(Testbed testbed, int nodeCount, List<String> extraWeftdArgs,
        BiFunction<Integer, List<String>, List<String>> launcher, boolean natRules) {
        OverlayCluster cluster = new OverlayCluster(testbed, null,
            writeStaticLeases(testbed, Collections.nCopies(nodeCount, extraWeftdArgs)), extraWeftdArgs);
        cluster.weftdLauncher = launcher;
        cluster.natRules = natRules;
        cluster.addNodes(nodeCount);
        return cluster;
    }

    /**
     * As {@link #startStatic(Testbed, int, List)} with one node per entry, node i running weftd with the extra flags
     * {@code perNodeWeftdArgs.get(i - 1)}: e.g. one node as shipped next to one with {@code --offload=off}. Nodes
     * added later get no extra flags.
     */
    public static OverlayCluster startStatic(Testbed testbed, List<List<String>> perNodeWeftdArgs) {
        OverlayCluster cluster = new OverlayCluster(testbed, null, writeStaticLeases(testbed, perNodeWeftdArgs),
            List.of());
        cluster.addNodes(perNodeWeftdArgs);
        return cluster;
    }

    /** Node i's lease, 10.244.i.0/24; it says partial checksums unless node i's weftd runs with --offload=off. */
    private static Path writeStaticLeases(Testbed testbed, List<List<String>> perNodeWeftdArgs) {
        Map<String, String> leases = new LinkedHashMap<>();
        Set<String> partialChecksums = new HashSet<>();
        for (int i = 1; i <= perNodeWeftdArgs.size(); i++) {
            String subnet = "10.244." + i + ".0/24";
            leases.put(subnet, underlayIp(i));
            if (!perNodeWeftdArgs.get(i - 1).contains("--offload=off")) {
                partialChecksums.add(subnet);
            }
        }
        return StaticLeases.write(testbed.runDir().resolve("leases.json"), NETWORK, 24, BACKEND_PORT, leases,
            partialChecksums);
    }

    /** Adds {@code count} nodes: all weftd start together, then each gets its pod once healthy. Returns them. */
    public synchronized List<Node> addNodes(int count) {
        return addNodes(Collections.nCopies(count, extraWeftdArgs));
    }

    /** Adds one node whose weftd runs with {@code extraArgs} instead of the cluster's extra flags. */
    public synchronized Node addNode(List<String> extraArgs) {
        return addNodes(List.of(extraArgs)).get(0);
    }

    /** Adds one node per entry of {@code extraArgsPerNode}, its weftd started with those extra flags. */
    private synchronized List<Node> addNodes(List<List<String>> extraArgsPerNode) {
        List<Node> added = new ArrayList<>();
        for (List<String> extra : extraArgsPerNode) {
            int index = nodes.size() + 1;
            Node node = testbed.addNode("n" + index, underlayIp(index));
            nodes.add(node);
            daemons.add(node.startWeftd(WeftdProcess.locateJar(), weftdArgs(node, extra),
                command -> weftdLauncher.apply(index, command)));
            added.add(node);
        }
        for (Node node : added) {
            int i = nodes.indexOf(node);
            daemons.get(i).awaitHealthy(HEALTHY_TIMEOUT);
            pods.add(node.addPod("a", podConflist(node)));
        }
        return added;
    }

    /** The flags weftd gets on {@code node}: where its leases come from, its address, per-node output files. */
    public List<String> weftdArgs(Node node, List<String> extra) {
        Path dir = nodeDir(node);
        List<String> args = new ArrayList<>();
        if (etcd != null) {
            args.addAll(List.of("--etcd-endpoints", etcd.endpoint(), "--etcd-prefix", ETCD_PREFIX));
        } else {
            args.addAll(List.of("--static-leases", leaseFile.toString()));
        }
        args.addAll(List.of(
            "--public-ip", node.ip(),
            "--iface", Node.UNDERLAY_IFACE,
            "--subnet-file", dir.resolve("subnet.env").toString(),
            "--cni-conf-dir", dir.resolve("net.d").toString(),
            natRules ? "--ip-masq" : "--ip-masq=false"));
        args.addAll(extra);
        return args;
    }

    /** The conflist weftd wrote for {@code node}. */
    public Path conflist(Node node) {
        Path file = nodeDir(node).resolve("net.d").resolve("10-weft.conflist");
        if (!Files.isRegularFile(file)) {
            throw new TestbedException("weftd wrote no " + file);
        }
        return file;
    }

    /** The conflist weftd wrote, as is, or without the bridge plugin's masquerading when there are no nat rules. */
    private String podConflist(Node node) {
        try {
            String written = Files.readString(conflist(node));
            if (natRules) {
                return written;
            }
            String unmasqueraded = written.replace("\"ipMasq\" : true", "\"ipMasq\" : false");
            if (unmasqueraded.equals(written)) {
                throw new TestbedException("no \"ipMasq\" : true in the conflist weftd wrote with --ip-masq=false:\n"
                    + written);
            }
            return unmasqueraded;
        } catch (IOException e) {
            throw new TestbedException("cannot read " + conflist(node) + ": " + e.getMessage());
        }
    }

    public Path subnetFile(Node node) {
        return nodeDir(node).resolve("subnet.env");
    }

    /** The subnet weftd leased for {@code node}, from its subnet.env: e.g. "10.244.7.0/24". */
    public String subnetOf(Node node) {
        try {
            String line = Files.readAllLines(subnetFile(node)).stream()
                .filter(l -> l.startsWith("FLANNEL_SUBNET=")).findFirst()
                .orElseThrow(() -> new TestbedException("no FLANNEL_SUBNET in " + subnetFile(node)));
            String gateway = line.substring("FLANNEL_SUBNET=".length(), line.indexOf('/'));
            return gateway.substring(0, gateway.lastIndexOf('.')) + ".0" + line.substring(line.indexOf('/'));
        } catch (IOException e) {
            throw new TestbedException("cannot read " + subnetFile(node) + ": " + e, e);
        }
    }

    /** The etcd of this cluster; null for a static-lease cluster. */
    public Etcd etcd() {
        return etcd;
    }

    public Testbed testbed() {
        return testbed;
    }

    public synchronized int size() {
        return nodes.size();
    }

    /** Node i, counted from 1 as in its name and addresses. */
    public synchronized Node node(int i) {
        return nodes.get(i - 1);
    }

    public synchronized WeftdProcess weftd(int i) {
        return daemons.get(i - 1);
    }

    /**
     * Starts another weftd on node i with the flags of the one there, and makes it node i's weftd from now on; the
     * one it replaces is returned, and left as it is (running: the new one takes over from it; or killed before).
     */
    public synchronized WeftdProcess startAnotherWeftd(int i) {
        Node node = nodes.get(i - 1);
        WeftdProcess previous = daemons.get(i - 1);
        daemons.set(i - 1, node.startWeftd(WeftdProcess.locateJar(), weftdArgs(node, extraWeftdArgs),
            command -> weftdLauncher.apply(i, command)));
        return previous;
    }

    /** The pod "a" of node i. */
    public synchronized Pod pod(int i) {
        return pods.get(i - 1);
    }

    public static String underlayIp(int i) {
        return "192.168.213." + i;
    }

    private Path nodeDir(Node node) {
        return testbed.runDir().resolve("weftd-" + node.label());
    }
}
