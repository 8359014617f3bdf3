package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * weftd joining a cluster the way flanneld does: leases in a real etcd, peers learnt from its watch, interoperable
 * with leases written as flanneld writes them, and forwarding through an etcd outage. The tests share one cluster
 * and run in order: nodes join as they go.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdClusterTest {
    private static final String SUBNETS = OverlayCluster.ETCD_PREFIX + "/subnets/";
    private static final String LEASES_KNOWN = "weft_leases_known";
    private static final long PROPAGATION_LIMIT_MS = 1000;

    private Testbed testbed;
    private OverlayCluster cluster;

    @BeforeAll
    void startCluster() {
        testbed = Testbeds.createOrSkip();
        cluster = OverlayCluster.start(testbed, 3, List.of());
    }

    @AfterAll
    void tearDown() {
        Testbeds.closeIfCreated(testbed);
    }

    @Test
    @Order(1)
    void shouldConnectAllPairsOfThreeNodesLearntFromEtcd() {
        assertThat(cluster.etcd().keys(SUBNETS)).hasSize(3);
        for (int from = 1; from <= 3; from++) {
            for (int to = 1; to <= 3; to++) {
                if (from != to) {
                    assertThat(Ping.run(cluster.pod(from), cluster.pod(to).ip(), 2).received())
                        .as("pod of n%d -> pod of n%d", from, to).isEqualTo(2);
                }
            }
        }
    }

    @Test
    @Order(2)
    void shouldWriteLeasesAsFlanneldWritesThemSayingInBackendDataThatWeftTakesPartialChecksumsAndItsKey() {
        Node node = cluster.node(1);
        String key = SUBNETS + cluster.subnetOf(node).replace('/', '-');
        // The key and epoch: authentication is on by default in etcd mode.
        assertThat(cluster.etcd().get(key)).matches(Pattern.quote("{\"PublicIP\":\"" + node.ip()
            + "\",\"PublicIPv6\":null,\"BackendData\":{\"WeftPartialChecksums\":true,\"WeftKey\":\"")
            + "[A-Za-z0-9+/]{43}=\",\"WeftEpoch\":[1-9][0-9]*}}");
        String ttl = cluster.etcd().etcdctl("get", key, "-w", "fields").orThrow().stdout();
        assertThat(ttl).as("attached to an etcd lease").containsPattern("\"Lease\" : [1-9]");
    }

    @Test
    @Order(3)
    void shouldRouteToAJoiningNodeWithinOneSecondOnEveryNode() {
        // A lease written byte for byte as flanneld writes it, for a node that is not there yet: measure, from the
        // outside, the time from the etcd write to each node's table holding it.
        List<Long> propagationMs = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            String key = SUBNETS + "10.244." + (200 + round) + ".0-24";
            long[] known = knownLeases();
            long start = System.nanoTime();
            cluster.etcd().putWithLease(key, "{\"PublicIP\":\"192.168.213." + (200 + round) + "\",\"PublicIPv6\":null}",
                86400);
            for (int i = 1; i <= 3; i++) {
                propagationMs.add(awaitLeasesKnown(i, known[i - 1] + 1, start));
            }
            cluster.etcd().delete(key);
            for (int i = 1; i <= 3; i++) {
                awaitLeasesKnown(i, known[i - 1], System.nanoTime());
            }
        }
        propagationMs.sort(null);
        System.out.printf("join propagation (etcd write -> route table, measured by polling /metrics): p50 %d ms,"
            + " p99 %d ms, max %d ms over %d samples%n", propagationMs.get(propagationMs.size() / 2),
            propagationMs.get((int) Math.ceil(propagationMs.size() * 0.99) - 1),
            propagationMs.get(propagationMs.size() - 1), propagationMs.size());
        assertThat(propagationMs).allMatch(ms -> ms < PROPAGATION_LIMIT_MS);

        // A real fourth node joins: every node reaches its pod.
        Node fourth = cluster.addNodes(1).get(0);
        Pod pod = cluster.pod(4);
        for (int i = 1; i <= 3; i++) {
            assertThat(Ping.run(cluster.pod(i), pod.ip(), 2).received()).as("n%d -> %s", i, fourth).isEqualTo(2);
        }
        Map<String, Number> metrics = cluster.weftd(1).metrics();
        System.out.println("weftd on n1, etcd event -> route live: p50 "
            + metrics.get("weft_route_propagation_seconds{quantile=\"0.5\"}") + " s, p99 "
            + metrics.get("weft_route_propagation_seconds{quantile=\"0.99\"}") + " s");
        assertThat(metrics.get("weft_route_propagation_seconds{quantile=\"1.0\"}").doubleValue()).isLessThan(1.0);
    }

    @Test
    @Order(4)
    void shouldAcceptAFlanneldStyleLeaseAsAWorkingPeer() {
        // flanneld's own write, done before the node's daemon starts: weftd reuses it by PublicIP, the others
        // parse flannel's value.
        String ip = OverlayCluster.underlayIp(cluster.size() + 1);
        String key = SUBNETS + "10.244.150.0-24";
        cluster.etcd().putWithLease(key, "{\"PublicIP\":\"" + ip + "\",\"PublicIPv6\":null}", 86400);
        Node node = cluster.addNodes(1).get(0);
        assertThat(cluster.subnetOf(node)).isEqualTo("10.244.150.0/24");
        Pod pod = cluster.pod(cluster.size());
        assertThat(pod.ip()).startsWith("10.244.150.");
        // The route was there before the node: the others must also have read the key it wrote on the lease, or
        // they would still send it bare datagrams, which it refuses.
        for (int i = 1; i < cluster.size(); i++) {
            WeftdProcess weftd = cluster.weftd(i);
            assertThat(Await.until(Duration.ofSeconds(10),
                () -> weftd.metrics().get("weft_peers_without_key").longValue() == 0)).as("node %d has its key", i)
                .isTrue();
        }
        assertThat(Ping.run(cluster.pod(1), pod.ip(), 2).received()).isEqualTo(2);
        assertThat(Ping.run(pod, cluster.pod(2).ip(), 2).received()).isEqualTo(2);
    }

    @Test
    @Order(5)
    void shouldRemoveTheRouteWhenALeaseIsDeleted() {
        String key = SUBNETS + "10.244.160.0-24";
        long[] known = knownLeases();
        cluster.etcd().putWithLease(key, "{\"PublicIP\":\"192.168.213.160\",\"PublicIPv6\":null}", 86400);
        awaitLeasesKnown(1, known[0] + 1, System.nanoTime());
        cluster.etcd().delete(key);
        awaitLeasesKnown(1, known[0], System.nanoTime());
        ExecResult curl = cluster.pod(1).exec("curl", "-sS", "--max-time", "5", "http://10.244.160.5:80/");
        assertThat(curl.exitCode()).as("net unreachable at once, not a timeout: " + curl.stderr()).isEqualTo(7);
    }

    @Test
    @Order(6)
    void shouldSkipGarbageAndKeepTheGoodLeases() {
        cluster.etcd().put(SUBNETS + "10.244.170.0-24", "{not json");
        cluster.etcd().put(SUBNETS + "not-a-subnet", "{\"PublicIP\":\"192.168.213.170\"}");
        cluster.etcd().put(SUBNETS + "10.99.0.0-24", "{\"PublicIP\":\"192.168.213.171\"}");
        assertThat(Ping.run(cluster.pod(1), cluster.pod(2).ip(), 2).received()).isEqualTo(2);
        Map<String, Number> metrics = cluster.weftd(1).metrics();
        assertThat(metrics.get("weft_registry_skipped_entries_total").longValue()).isGreaterThanOrEqualTo(3);
        assertThat(cluster.weftd(1).process().logText()).contains("10.244.170.0-24").contains("not-a-subnet");
    }

    @Test
    @Order(7)
    void shouldForwardThroughAnEtcdOutageAndLearnNewNodesAfterIt() throws Exception {
        CompletableFuture<TcpTransfer.Result> transfer = CompletableFuture.supplyAsync(
            () -> TcpTransfer.run(cluster.pod(1), cluster.pod(2), 100L << 20));
        Thread.sleep(300);
        cluster.etcd().kill();
        TcpTransfer.Result result = transfer.get(120, TimeUnit.SECONDS);
        assertThat(result.intact()).as(result.report()).isTrue();
        assertThat(Ping.run(cluster.pod(2), cluster.pod(1).ip(), 2).received()).as("still forwarding").isEqualTo(2);

        cluster.etcd().restart();
        Node late = cluster.addNodes(1).get(0);
        Pod pod = cluster.pod(cluster.size());
        assertThat(Ping.run(cluster.pod(1), pod.ip(), 3).received()).as("n1 learnt %s after etcd came back", late)
            .isGreaterThanOrEqualTo(2);
        assertThat(cluster.weftd(1).metrics().get("weft_registry_watch_restarts_total").longValue()).isPositive();
    }

    private long[] knownLeases() {
        long[] known = new long[3];
        for (int i = 1; i <= 3; i++) {
            known[i - 1] = cluster.weftd(i).metrics().get(LEASES_KNOWN).longValue();
        }
        return known;
    }

    /** Polls node i's /metrics until it knows {@code expected} leases; returns the milliseconds since {@code start}. */
    private long awaitLeasesKnown(int i, long expected, long start) {
        long deadline = start + TimeUnit.SECONDS.toNanos(10);
        while (cluster.weftd(i).metrics().get(LEASES_KNOWN).longValue() != expected) {
            assertThat(System.nanoTime() - deadline).as("n%d never knew %d leases", i, expected).isNegative();
            ManagedProcess.sleepMs(5);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
