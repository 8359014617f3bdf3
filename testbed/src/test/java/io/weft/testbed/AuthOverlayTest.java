package io.weft.testbed;

import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.dataplane.packet.TestPackets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 20 on real nodes: two weftds in etcd mode authenticating by default, with no --auth flag (node 2 also
 * encrypting), and a third with {@code --auth=off}, as flanneld's udp backend would be, without a key. Between the
 * first two every datagram is sealed and what a pod forges towards another node is refused; the third is served as
 * flannel serves it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthOverlayTest {
    private static final String DROPS = "weft_drops_total{direction=\"udp_to_tun\",reason=\"%s\"}";
    private static final String SEALED = "weft_authenticated_datagrams_total{direction=\"tun_to_udp\"}";
    private static final String OPENED = "weft_authenticated_datagrams_total{direction=\"udp_to_tun\"}";
    private static final int PROBE_PORT = 9998;

    private Testbed testbed;
    private OverlayCluster cluster;

    @BeforeAll
    void startCluster() {
        testbed = Testbeds.createOrSkip();
        cluster = OverlayCluster.start(testbed, 1, List.of());
        cluster.addNode(List.of("--encrypt"));
        cluster.addNode(List.of("--auth=off"));
    }

    @AfterAll
    void tearDown() {
        Testbeds.closeIfCreated(testbed);
    }

    @Test
    @Order(1)
    void shouldAdvertiseKeysKeepThemOwnerOnlyAndLeaveRoomForTheirBytesInTheMtu() throws IOException {
        for (int i = 1; i <= 2; i++) {
            assertThat(lease(i)).contains("\"WeftKey\":\"", "\"WeftEpoch\":");
            Path key = cluster.subnetFile(cluster.node(i)).resolveSibling("weft-node.key");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        }
        assertThat(lease(3)).doesNotContain("WeftKey");
        assertThat(Await.until(Duration.ofSeconds(10),
            () -> cluster.weftd(1).metrics().get("weft_peers_without_key").longValue() == 1)).isTrue();
        assertThat(cluster.weftd(1).process().logText()).contains("advertises no key");
        assertThat(cluster.weftd(3).metrics().get("weft_peers_without_key").longValue()).as("--auth off").isZero();
        assertThat(mtu(3) - mtu(1)).as("an authentication header and tag per datagram").isEqualTo(28);
        assertThat(mtu(2)).isEqualTo(mtu(1));
    }

    @Test
    @Order(2)
    void shouldSealEveryDatagramBetweenNodesThatAuthenticateEncryptedOrNot() {
        Map<String, Number> before1 = cluster.weftd(1).metrics();
        Map<String, Number> before2 = cluster.weftd(2).metrics();

        assertThat(Ping.run(cluster.pod(1), cluster.pod(2).ip(), 5).received()).isEqualTo(5);
        TcpTransfer.Result there = TcpTransfer.run(cluster.pod(1), cluster.pod(2), 20L << 20);
        TcpTransfer.Result back = TcpTransfer.run(cluster.pod(2), cluster.pod(1), 20L << 20);

        assertThat(there.intact()).as(there.report()).isTrue();
        assertThat(back.intact()).as(back.report()).isTrue();
        Map<String, Number> after1 = cluster.weftd(1).metrics();
        Map<String, Number> after2 = cluster.weftd(2).metrics();
        long sent1 = delta(before1, after1, "weft_packets_total{direction=\"tun_to_udp\",stage=\"sent\"}");
        assertThat(delta(before1, after1, SEALED)).as("node 1 sealed all it sent").isEqualTo(sent1).isPositive();
        assertThat(delta(before2, after2, OPENED)).as("node 2 opened what node 1 sealed")
            .isGreaterThanOrEqualTo(sent1 * 9 / 10);
        assertThat(delta(before1, after1, OPENED)).as("node 1 opened node 2's encrypted datagrams").isPositive();
        for (String reason : List.of("auth_failed", "replayed", "unauthenticated", "auth_unknown_key")) {
            assertThat(after1.getOrDefault(String.format(DROPS, reason), 0L).longValue()).as(reason).isZero();
            assertThat(after2.getOrDefault(String.format(DROPS, reason), 0L).longValue()).as(reason).isZero();
        }
    }

    @Test
    @Order(3)
    void shouldServeTheNodeWithoutAKeyAsFlannelDoes() {
        Map<String, Number> before = cluster.weftd(1).metrics();

        assertThat(Ping.run(cluster.pod(1), cluster.pod(3).ip(), 3).received()).isEqualTo(3);
        assertThat(Ping.run(cluster.pod(3), cluster.pod(2).ip(), 3).received()).isEqualTo(3);

        assertThat(delta(before, cluster.weftd(1).metrics(), SEALED)).as("bare datagrams to node 3").isZero();
    }

    /**
     * The trial: a pod on node 2, without privileges, sends node 1's backend port ordinary UDP datagrams
     * carrying a packet "from" another address of node 2's subnet to a pod on node 1; --ip-masq gives them node 2's
     * address. Without authentication all 50 reached the pod.
     */
    @Test
    @Order(4)
    void shouldRefuseWhatAPodForgesTowardsAnotherNode() {
        Pod attacker = cluster.pod(2);
        String forgedSource = attacker.ip().substring(0, attacker.ip().lastIndexOf('.') + 1) + "200";
        byte[] forged = TestPackets.udp().source(ip(forgedSource)).destination(ip(cluster.pod(1).ip()))
            .destinationPort(PROBE_PORT).payloadLength(32).build();
        UdpProbe.Counter probe = UdpProbe.startCounter(cluster.pod(1), PROBE_PORT, 8);
        Map<String, Number> before = cluster.weftd(1).metrics();

        UdpProbe.send(attacker, attacker.ip(), cluster.node(1).ip(), OverlayCluster.BACKEND_PORT, forged, 50);

        assertThat(probe.awaitCount()).as("forged packets that reached the pod").isZero();
        assertThat(delta(before, cluster.weftd(1).metrics(), String.format(DROPS, "unauthenticated")))
            .isEqualTo(50);
    }

    private String lease(int node) {
        String subnet = cluster.subnetOf(cluster.node(node)).replace('/', '-');
        return cluster.etcd().get(OverlayCluster.ETCD_PREFIX + "/subnets/" + subnet);
    }

    private int mtu(int node) throws IOException {
        return Files.readAllLines(cluster.subnetFile(cluster.node(node))).stream()
            .filter(line -> line.startsWith("FLANNEL_MTU=")).map(line -> Integer.parseInt(line.substring(12)))
            .findFirst().orElseThrow();
    }

    private static long delta(Map<String, Number> before, Map<String, Number> after, String series) {
        assertThat(after).as("metrics have " + series).containsKey(series);
        return after.get(series).longValue() - before.getOrDefault(series, 0L).longValue();
    }
}
