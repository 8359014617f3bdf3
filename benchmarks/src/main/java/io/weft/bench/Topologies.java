package io.weft.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.dataplane.node.IpMasquerade;
import io.weft.routing.Ipv4Prefix;
import io.weft.testbed.Await;
import io.weft.testbed.ManagedProcess;
import io.weft.testbed.Node;
import io.weft.testbed.OverlayCluster;
import io.weft.testbed.Ping;
import io.weft.testbed.Pod;
import io.weft.testbed.Testbed;
import io.weft.testbed.WeftdProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds each variant's two-node cluster: node i has underlay address 192.168.213.i and pod subnet 10.244.i.0/24,
 * one pod "a" each, attached by the real CNI bridge plugin with a conflist of flannel's shape.
 */
final class Topologies {
    static final int NODES = 2;
    static final String NETWORK = OverlayCluster.NETWORK;
    static final int UNDERLAY_MTU = 1500;
    /** flannel's vxlan MTU: underlay MTU minus 50 bytes of outer Ethernet, IPv4, UDP and VXLAN headers. */
    static final int VXLAN_MTU = 1450;
    static final String VXLAN_DEVICE = "flannel.1";
    static final int VXLAN_ID = 1;
    static final int VXLAN_PORT = 8472;
    static final String SEALED = "weft_authenticated_datagrams_total{direction=\"tun_to_udp\"}";
    static final String OPENED = "weft_authenticated_datagrams_total{direction=\"udp_to_tun\"}";
    private static final Duration AUTHENTICATED_TRAFFIC_TIMEOUT = Duration.ofSeconds(15);
    static final int WIREGUARD_PORT = 51820;
    /** wg-quick's default: the underlay's 1500 bytes less 80 of outer headers and WireGuard's own. */
    static final int WIREGUARD_MTU = 1420;
    private static final Duration WIREGUARD_READY_TIMEOUT = Duration.ofSeconds(10);

    private Topologies() {
    }

    /** Plain routes as flannel's host-gw backend sets them: {@code 10.244.M.0/24 via 192.168.213.M}. */
    static Topology hostGw(boolean natRules) {
        return build(testbed -> {
            List<Node> nodes = addNodes(testbed, natRules);
            for (int i = 1; i <= NODES; i++) {
                for (int peer = 1; peer <= NODES; peer++) {
                    if (peer != i) {
                        nodes.get(i - 1).addRoute(subnet(peer), OverlayCluster.underlayIp(peer));
                    }
                }
            }
            return new Topology(testbed, addPod(nodes.get(0), 1, UNDERLAY_MTU), addPod(nodes.get(1), 2, UNDERLAY_MTU),
                List.of());
        });
    }

    /**
     * Kernel VXLAN as flannel's vxlan backend sets it: device flannel.1 (VNI 1, port 8472, no learning, local = node
     * address, dev eth0) holding 10.244.N.0/32; per peer an onlink route via the peer's 10.244.M.0, a permanent
     * neighbour entry for that address and an fdb entry sending the peer's MAC to its underlay address.
     */
    static Topology vxlan(boolean natRules) {
        return build(testbed -> {
            List<Node> nodes = addNodes(testbed, natRules);
            for (int i = 1; i <= NODES; i++) {
                Node node = nodes.get(i - 1);
                node.exec("ip", "link", "add", VXLAN_DEVICE, "address", vxlanMac(i), "type", "vxlan",
                    "id", Integer.toString(VXLAN_ID), "dstport", Integer.toString(VXLAN_PORT),
                    "local", OverlayCluster.underlayIp(i), "dev", Node.UNDERLAY_IFACE, "nolearning").orThrow();
                node.exec("ip", "link", "set", VXLAN_DEVICE, "mtu", Integer.toString(VXLAN_MTU)).orThrow();
                node.exec("ip", "addr", "add", "10.244." + i + ".0/32", "dev", VXLAN_DEVICE).orThrow();
                node.exec("ip", "link", "set", VXLAN_DEVICE, "up").orThrow();
            }
            for (int i = 1; i <= NODES; i++) {
                Node node = nodes.get(i - 1);
                for (int peer = 1; peer <= NODES; peer++) {
                    if (peer == i) {
                        continue;
                    }
                    String gateway = "10.244." + peer + ".0";
                    node.exec("ip", "neigh", "replace", gateway, "lladdr", vxlanMac(peer), "dev", VXLAN_DEVICE,
                        "nud", "permanent").orThrow();
                    node.exec("bridge", "fdb", "replace", vxlanMac(peer), "dev", VXLAN_DEVICE,
                        "dst", OverlayCluster.underlayIp(peer), "self", "permanent").orThrow();
                    node.exec("ip", "route", "replace", subnet(peer), "via", gateway,
                        "dev", VXLAN_DEVICE, "onlink").orThrow();
                }
            }
            return new Topology(testbed, addPod(nodes.get(0), 1, VXLAN_MTU), addPod(nodes.get(1), 2, VXLAN_MTU),
                List.of());
        });
    }

    /**
     * weftd on each node via {@link OverlayCluster} with a static lease file (node i leases 10.244.i.0/24, no etcd
     * running beside the measurement); pods use the conflist weftd wrote; each weftd starts pinned to its node's CPU,
     * so it sizes itself for one core (one lane, JVM threads) as under a DaemonSet's one-CPU limit.
     */
    static Topology weft(List<String> extraWeftdArgs, Pinning pinning, boolean natRules) {
        return build(testbed -> {
            OverlayCluster cluster = OverlayCluster.startStatic(testbed, NODES, extraWeftdArgs, pinning::wrap,
                natRules);
            List<Long> pids = List.of(cluster.weftd(1).process().pid(), cluster.weftd(2).process().pid());
            return new Topology(testbed, cluster.pod(1), cluster.pod(2), pids);
        });
    }

    /** As {@link #weft}, each weftd launched from {@code jar} instead of this build's. */
    static Topology weftFrom(Path jar, List<String> extraWeftdArgs, Pinning pinning, boolean natRules) {
        return WeftdProcess.fromJar(jar.toString(), () -> weft(extraWeftdArgs, pinning, natRules));
    }

    /**
     * As {@link #weft}, with the leases in a throwaway etcd in the hub (each weftd leases a random free subnet), as
     * authentication needs: the keys travel in the leases. With {@code authenticates}, the run goes on only once
     * traffic between the pods flows sealed by node 1 and opened by node 2, so what is measured is authenticated and
     * no measurement starts while a node still waits for the other's key.
     */
    static Topology weftWithEtcd(List<String> extraWeftdArgs, boolean authenticates, Pinning pinning,
        boolean natRules) {
        return build(testbed -> {
            OverlayCluster cluster = OverlayCluster.start(testbed, NODES, extraWeftdArgs, pinning::wrap, natRules);
            if (authenticates) {
                awaitAuthenticatedTraffic(cluster);
            }
            List<Long> pids = List.of(cluster.weftd(1).process().pid(), cluster.weftd(2).process().pid());
            return new Topology(testbed, cluster.pod(1), cluster.pod(2), pids);
        });
    }

    private static void awaitAuthenticatedTraffic(OverlayCluster cluster) {
        boolean flows = Await.until(AUTHENTICATED_TRAFFIC_TIMEOUT,
            () -> Ping.run(cluster.pod(1), cluster.pod(2).ip(), 1).received() == 1);
        long sealed = counter(cluster.weftd(1).metrics(), SEALED);
        long opened = counter(cluster.weftd(2).metrics(), OPENED);
        if (!flows || sealed == 0 || opened == 0) {
            throw new IllegalStateException("traffic between the pods is not authenticated: "
                + (flows ? "" : "no ping reply within " + AUTHENTICATED_TRAFFIC_TIMEOUT.toSeconds() + " s, ")
                + "node 1 sealed " + sealed + ", node 2 opened " + opened);
        }
    }

    private static long counter(Map<String, Number> metrics, String series) {
        return metrics.getOrDefault(series, 0L).longValue();
    }

    /**
     * wireguard-go (the Debian package, userspace, one process per node) as a point-to-point overlay: on node i the
     * TUN device {@code wg<i>} (a name of its own per node: the control sockets under /var/run/wireguard are not
     * per namespace) with a fresh key pair, listening on {@value #WIREGUARD_PORT}, the peer allowed its pod subnet at
     * its underlay address, and a route for that subnet through the device. Pod MTU 1420, wg-quick's default.
     */
    static Topology wireguardGo(Pinning pinning, boolean natRules) {
        return build(testbed -> {
            List<Node> nodes = addNodes(testbed, natRules);
            List<Long> pids = new ArrayList<>();
            List<String> publicKeys = new ArrayList<>();
            for (int i = 1; i <= NODES; i++) {
                Node node = nodes.get(i - 1);
                Path key = testbed.runDir().resolve("wg" + i + ".key");
                node.exec("sh", "-c", "umask 077 && wg genkey > " + key + " && wg pubkey < " + key + " > " + key
                    + ".pub").orThrow();
                publicKeys.add(readKey(Path.of(key + ".pub")));
                ManagedProcess wireguard = node.start("wireguard-go",
                    pinning.wrap(i, List.of("wireguard-go", "-f", wireguardDevice(i))));
                pids.add(wireguard.pid());
            }
            for (int i = 1; i <= NODES; i++) {
                Node node = nodes.get(i - 1);
                String device = wireguardDevice(i);
                int peer = NODES + 1 - i;
                Path key = testbed.runDir().resolve("wg" + i + ".key");
                List<String> configure = List.of("wg", "set", device, "listen-port", Integer.toString(WIREGUARD_PORT),
                    "private-key", key.toString(), "peer", publicKeys.get(peer - 1), "endpoint",
                    OverlayCluster.underlayIp(peer) + ":" + WIREGUARD_PORT, "allowed-ips", subnet(peer));
                if (!Await.until(WIREGUARD_READY_TIMEOUT, () -> node.exec(configure.toArray(String[]::new)).ok())) {
                    node.exec(configure.toArray(String[]::new)).orThrow();
                }
                node.exec("ip", "link", "set", device, "mtu", Integer.toString(WIREGUARD_MTU), "up").orThrow();
                node.exec("ip", "route", "replace", subnet(peer), "dev", device).orThrow();
            }
            return new Topology(testbed, addPod(nodes.get(0), 1, WIREGUARD_MTU),
                addPod(nodes.get(1), 2, WIREGUARD_MTU), pids);
        });
    }

    private static String wireguardDevice(int node) {
        return "wg" + node;
    }

    private static String readKey(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The conflist flannel's CNI plugin delegates (as weftd writes it), with {@code ipMasq} false: pod-to-pod
     * traffic keeps its addresses, as with weftd's {@code --ip-masq}.
     */
    static String conflist(String subnet, int mtu) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode list = json.createObjectNode();
        list.put("name", "cbr0");
        list.put("cniVersion", "0.3.1");
        ArrayNode plugins = list.putArray("plugins");
        ObjectNode bridge = plugins.addObject();
        bridge.put("type", "bridge");
        bridge.put("bridge", "cni0");
        bridge.put("isGateway", true);
        bridge.put("isDefaultGateway", true);
        bridge.put("hairpinMode", true);
        bridge.put("ipMasq", false);
        bridge.put("mtu", mtu);
        ObjectNode ipam = bridge.putObject("ipam");
        ipam.put("type", "host-local");
        ipam.putArray("ranges").addArray().addObject().put("subnet", subnet);
        ipam.putArray("routes").addObject().put("dst", NETWORK);
        ObjectNode portmap = plugins.addObject();
        portmap.put("type", "portmap");
        portmap.putObject("capabilities").put("portMappings", true);
        return list.toString();
    }

    /** Node i's pod subnet, 10.244.i.0/24, as every variant (and weft's static leases) assigns it. */
    static String subnet(int node) {
        return "10.244." + node + ".0/24";
    }

    /** A locally administered, per-node MAC, so peers' fdb entries are known before the devices exist. */
    static String vxlanMac(int node) {
        return String.format("0e:77:00:00:00:%02x", node);
    }

    /**
     * The nodes of a kernel dataplane. With {@code natRules}, each gets the nat rules flanneld's {@code --ip-masq}
     * (kube-flannel's default) installs, as weftd installs them on weft's nodes: the rules make the kernel track every
     * connection, a per-packet cost all variants then pay alike; without, no nat rule at all.
     */
    private static List<Node> addNodes(Testbed testbed, boolean natRules) {
        List<Node> nodes = List.of(testbed.addNode("n1", OverlayCluster.underlayIp(1)),
            testbed.addNode("n2", OverlayCluster.underlayIp(2)));
        for (int i = 1; i <= NODES && natRules; i++) {
            for (List<String> command : IpMasquerade.commandsForANewNode(Ipv4Prefix.parse(NETWORK),
                    Ipv4Prefix.parse(subnet(i)))) {
                nodes.get(i - 1).exec(command.toArray(String[]::new)).orThrow();
            }
        }
        return nodes;
    }

    private static Pod addPod(Node node, int index, int mtu) {
        return node.addPod("a", conflist(subnet(index), mtu));
    }

    /** Creates a fresh testbed and runs {@code setup} in it, closing the testbed when setup fails. */
    private static Topology build(Setup setup) {
        Testbed testbed = Testbed.create();
        try {
            return setup.apply(testbed);
        } catch (RuntimeException | Error e) {
            try {
                testbed.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    @FunctionalInterface
    private interface Setup {
        Topology apply(Testbed testbed);
    }
}
