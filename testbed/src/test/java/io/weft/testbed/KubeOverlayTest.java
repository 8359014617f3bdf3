package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.NodeCondition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three nodes running the real weftd in kube mode ({@code --kube-subnet-mgr}) against fabric8's mock API server in
 * CRUD mode, or the cluster of {@code WEFT_KUBECONFIG}: each node's subnet is the podCIDR the test gives its Node
 * object, weftd annotates it and clears NetworkUnavailable, pods ping across nodes; a Node deleted is dropped from
 * the other nodes' routes and taken back when registered again; the API server restarted changes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubeOverlayTest {
    private static final int NODES = 3;
    private static final String PREFIX = "flannel.alpha.coreos.com/";
    private static final String LEASES_KNOWN = "weft_leases_known";
    private static final String WATCH_RESTARTS = "weft_registry_watch_restarts_total";
    private static final Duration HEALTHY_TIMEOUT = Duration.ofSeconds(60);

    private Testbed testbed;
    private KubeApi api;
    private NetnsTcpRelay relay;
    private final List<Node> nodes = new ArrayList<>();
    private final List<WeftdProcess> daemons = new ArrayList<>();
    private final List<Pod> pods = new ArrayList<>();

    @BeforeAll
    void startCluster() throws Exception {
        testbed = Testbeds.createOrSkip();
        api = KubeApi.start(testbed);
        api.addressHub(testbed);
        relay = NetnsTcpRelay.start(testbed.hub().name(), api.addressForNodes(), api.target());
        Path netConf = testbed.runDir().resolve("net-conf.json");
        Files.writeString(netConf, OverlayCluster.NETWORK_CONFIG);
        for (int i = 1; i <= NODES; i++) {
            Node node = testbed.addNode("n" + i, OverlayCluster.underlayIp(i));
            api.routeFrom(node);
            nodes.add(node);
            api.registerNode("n" + i, "10.244." + i + ".0/24");
        }
        for (Node node : nodes) {
            Path dir = testbed.runDir().resolve("weftd-" + node.label());
            List<String> args = new ArrayList<>(List.of("--kube-subnet-mgr", "--net-config-path", netConf.toString(),
                "--iface", Node.UNDERLAY_IFACE, "--subnet-file", dir.resolve("subnet.env").toString(),
                "--cni-conf-dir", dir.resolve("net.d").toString(), "--ip-masq"));
            args.addAll(api.weftdArgs());
            String nodeName = api.nodeName(node.label());
            daemons.add(node.startWeftd(WeftdProcess.locateJar(), args, command -> {
                List<String> withEnv = new ArrayList<>(List.of("env", "NODE_NAME=" + nodeName));
                withEnv.addAll(command);
                return withEnv;
            }));
        }
        for (int i = 0; i < NODES; i++) {
            daemons.get(i).awaitHealthy(HEALTHY_TIMEOUT);
            Path conflist = testbed.runDir().resolve("weftd-" + nodes.get(i).label()).resolve("net.d")
                .resolve("10-weft.conflist");
            pods.add(nodes.get(i).addPod("a", conflist));
        }
        for (int i = 0; i < NODES; i++) {
            awaitLeasesKnown(i, NODES);
        }
    }

    @AfterAll
    void tearDown() {
        if (api != null && !api.isMock()) {
            for (Node node : nodes) {
                api.deleteNode(node.label());
            }
        }
        Testbeds.closeIfCreated(testbed);
        if (relay != null) {
            relay.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void shouldAnnotateEveryNodeAsFlanneldAndClearNetworkUnavailable() {
        for (Node node : nodes) {
            io.fabric8.kubernetes.api.model.Node object = api.node(node.label());
            assertThat(object.getMetadata().getAnnotations())
                .containsEntry(PREFIX + "backend-type", "udp")
                .containsEntry(PREFIX + "public-ip", node.ip())
                .containsEntry(PREFIX + "kube-subnet-manager", "true");
            assertThat(object.getMetadata().getAnnotations().get(PREFIX + "backend-data"))
                .as("authentication is on by default: the node's key and epoch")
                .contains("\"WeftKey\":\"", "\"WeftEpoch\":");
            assertThat(object.getStatus().getConditions()).filteredOn(c -> c.getType().equals("NetworkUnavailable"))
                .extracting(NodeCondition::getStatus).containsExactly("False");
        }
    }

    @Test
    void shouldPingBetweenPodsOnEveryPairOfNodes() {
        assertThat(pods.get(0).ip()).startsWith("10.244.1.");
        assertThat(pods.get(2).ip()).startsWith("10.244.3.");
        for (int from = 0; from < NODES; from++) {
            for (int to = 0; to < NODES; to++) {
                if (from != to) {
                    assertThat(Ping.run(pods.get(from), pods.get(to).ip(), 3).received())
                        .as("ping %s -> %s", pods.get(from), pods.get(to)).isEqualTo(3);
                }
            }
        }
        for (WeftdProcess weftd : daemons) {
            assertThat(weftd.metrics().get("weft_authenticated_datagrams_total{direction=\"udp_to_tun\"}").longValue())
                .as("opened, as the keys travel in the backend-data annotation").isPositive();
        }
    }

    @Test
    void shouldDropADeletedNodeAndTakeItBackWhenItIsRegisteredAgain() {
        deleteAndRegisterAgain("n3", 2);
    }

    @Test
    void shouldFollowNodesAcrossAnApiServerRestart() {
        assumeTrue(api.isMock(), "WEFT_KUBECONFIG names a real cluster, whose API server is not the test's to "
            + "restart");
        long[] restartsBefore = new long[NODES];
        for (int i = 0; i < NODES; i++) {
            restartsBefore[i] = metric(i, WATCH_RESTARTS);
        }

        // Down longer than a weftd waits for fabric8 to watch again before it lists every node (RELIST_AFTER_MS).
        api.restart(Duration.ofSeconds(8));

        assertThat(Ping.run(pods.get(0), pods.get(1).ip(), 3).received()).isEqualTo(3);
        for (int i = 0; i < NODES; i++) {
            int node = i;
            assertThat(Await.until(Duration.ofSeconds(30), () -> metric(node, WATCH_RESTARTS) > restartsBefore[node]))
                .as("node %d lists the nodes again after the restart", node + 1).isTrue();
        }
        // Every pair still reaches the other after the relist. A node deleted and registered again after the restart
        // is not tried here: on fabric8's mock, which creates a node that a PATCH names (a real API server answers
        // 404), the deleted node's own weftd patching its annotations back re-created it first in CI. A deletion
        // missed while the watch was down is KubeWatchTest's (a relist finds it).
        for (int i = 0; i < NODES; i++) {
            for (int j = 0; j < NODES; j++) {
                if (i != j) {
                    assertThat(Ping.run(pods.get(i), pods.get(j).ip(), 1).received()).as("pod %d to pod %d", i + 1,
                        j + 1).isEqualTo(1);
                }
            }
        }
    }

    /** Deletes the Node object {@code label}, then registers it again as its kubelet would. */
    private void deleteAndRegisterAgain(String label, int index) {
        int other = index == 0 ? 1 : 0;
        api.deleteNode(label);
        awaitLeasesKnown(other, NODES - 1);
        assertThat(Ping.run(pods.get(other), pods.get(index).ip(), 1).received()).as("no route to a deleted node")
            .isZero();

        long registeredNs = System.nanoTime();
        api.registerNode(label, "10.244." + (index + 1) + ".0/24");
        awaitLeasesKnown(other, NODES);
        long liveMs = (System.nanoTime() - registeredNs) / 1_000_000;
        System.out.println("KubeOverlayTest: " + label + " registered again, live on node " + (other + 1) + " after "
            + liveMs + " ms (its weftd annotates it again first)");
        assertThat(Ping.run(pods.get(other), pods.get(index).ip(), 3).received()).isEqualTo(3);
        assertThat(api.node(label).getMetadata().getAnnotations()).containsEntry(PREFIX + "public-ip",
            nodes.get(index).ip());
    }

    private void awaitLeasesKnown(int index, long count) {
        assertThat(Await.until(Duration.ofSeconds(30), () -> metric(index, LEASES_KNOWN) == count))
            .as("node %d knows %d leases: %s", index + 1, count, daemons.get(index).metrics().get(LEASES_KNOWN))
            .isTrue();
    }

    private long metric(int index, String name) {
        Map<String, Number> metrics = daemons.get(index).metrics();
        Number value = metrics.get(name);
        return value == null ? -1 : value.longValue();
    }
}
