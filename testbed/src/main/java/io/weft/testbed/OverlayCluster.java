package io.weft.testbed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A weft cluster in a {@link Testbed}: node i has underlay address 192.168.213.i and leases 10.244.i.0/24 in a static
 * lease file, runs weftd, and gets one pod attached by the CNI plugins with the conflist weftd wrote.
 */
public final class OverlayCluster {
    public static final String NETWORK = "10.244.0.0/16";
    public static final int BACKEND_PORT = 8285;
    private static final Duration HEALTHY_TIMEOUT = Duration.ofSeconds(30);

    private final Testbed testbed;
    private final Path leaseFile;
    private final List<Node> nodes = new ArrayList<>();
    private final List<WeftdProcess> daemons = new ArrayList<>();
    private final List<Pod> pods = new ArrayList<>();

    private OverlayCluster(Testbed testbed, Path leaseFile) {
        this.testbed = testbed;
        this.leaseFile = leaseFile;
    }

    /**
     * Starts {@code nodeCount} nodes with weftd and one pod ("a") each. weftd runs with {@code --ip-masq} so that the
     * bridge plugin does not masquerade pod-to-pod traffic (pods see each other's real addresses), plus
     * {@code extraWeftdArgs}.
     */
    public static OverlayCluster start(Testbed testbed, int nodeCount, List<String> extraWeftdArgs) {
        Map<String, String> leases = new LinkedHashMap<>();
        for (int i = 1; i <= nodeCount; i++) {
            leases.put(subnet(i), underlayIp(i));
        }
        Path leaseFile = StaticLeases.write(testbed.runDir().resolve("leases.json"), NETWORK, 24, BACKEND_PORT, leases);
        OverlayCluster cluster = new OverlayCluster(testbed, leaseFile);
        for (int i = 1; i <= nodeCount; i++) {
            cluster.nodes.add(testbed.addNode("n" + i, underlayIp(i)));
        }
        for (Node node : cluster.nodes) {
            cluster.daemons.add(node.startWeftd(cluster.weftdArgs(node, extraWeftdArgs)));
        }
        for (int i = 0; i < nodeCount; i++) {
            cluster.daemons.get(i).awaitHealthy(HEALTHY_TIMEOUT);
            cluster.pods.add(cluster.nodes.get(i).addPod("a", cluster.conflist(cluster.nodes.get(i))));
        }
        return cluster;
    }

    /** The flags weftd gets on {@code node}: the lease file, its address, and per-node output files. */
    public List<String> weftdArgs(Node node, List<String> extra) {
        Path dir = nodeDir(node);
        List<String> args = new ArrayList<>(List.of(
            "--static-leases", leaseFile.toString(),
            "--public-ip", node.ip(),
            "--iface", Node.UNDERLAY_IFACE,
            "--subnet-file", dir.resolve("subnet.env").toString(),
            "--cni-conf-dir", dir.resolve("net.d").toString(),
            "--ip-masq"));
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

    public Path subnetFile(Node node) {
        return nodeDir(node).resolve("subnet.env");
    }

    public Testbed testbed() {
        return testbed;
    }

    public Path leaseFile() {
        return leaseFile;
    }

    /** Node i, counted from 1 as in its name and addresses. */
    public Node node(int i) {
        return nodes.get(i - 1);
    }

    public WeftdProcess weftd(int i) {
        return daemons.get(i - 1);
    }

    /** The first pod of node i. */
    public Pod pod(int i) {
        return pods.get(i - 1);
    }

    public static String underlayIp(int i) {
        return "192.168.213." + i;
    }

    public static String subnet(int i) {
        return "10.244." + i + ".0/24";
    }

    private Path nodeDir(Node node) {
        return testbed.runDir().resolve("weftd-" + node.label());
    }
}
