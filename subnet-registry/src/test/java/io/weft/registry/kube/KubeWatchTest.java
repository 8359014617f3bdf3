package io.weft.registry.kube;

import static io.weft.registry.kube.KubeTestKit.PREFIX;
import static io.weft.registry.kube.KubeTestKit.create;
import static io.weft.registry.kube.KubeTestKit.flannelNode;
import static io.weft.registry.kube.KubeTestKit.ip;
import static io.weft.registry.kube.KubeTestKit.lease;
import static io.weft.registry.kube.KubeTestKit.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.weft.registry.Lease;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every node's lease from its annotations, followed with an informer, against fabric8's mock API server. */
class KubeWatchTest {
    private static final Lease OURS = lease("10.244.1.0/24", "192.168.100.1");

    @TempDir
    Path dir;
    private MockApiServer api;
    private KubernetesClient client;
    private KubeLeaseRegistry registry;
    private final KubeTestKit.RecordingListener listener = new KubeTestKit.RecordingListener();

    @BeforeEach
    void startApi() throws Exception {
        api = MockApiServer.start();
        client = api.client();
        create(client, node("n1", "10.244.1.0/24"));
        registry = KubeTestKit.registry(api, dir, "n1");
        registry.awaitNetworkConfig();
        registry.acquire(ip("192.168.100.1"), null, false);
    }

    @AfterEach
    void stopApi() {
        registry.close();
        client.close();
        api.close();
    }

    @Test
    void shouldDeliverOurLeaseAndEveryUdpNodesFirst() throws Exception {
        create(client, flannelNode("n2", "10.244.2.0/24", "udp", "192.168.100.2"));

        registry.watch(listener);

        listener.awaitLatest("ours and n2", leases -> leases.equals(List.of(OURS,
            lease("10.244.2.0/24", "192.168.100.2"))));
        assertThat(registry.stats().leasesKnown()).isEqualTo(2);
    }

    @Test
    void shouldFollowANodeAddedChangedAndDeleted() throws Exception {
        registry.watch(listener);
        listener.awaitLatest("ours alone", leases -> leases.equals(List.of(OURS)));

        create(client, flannelNode("n2", "10.244.2.0/24", "udp", "192.168.100.2"));
        listener.awaitLatest("n2 added", leases -> leases.contains(lease("10.244.2.0/24", "192.168.100.2")));

        client.nodes().withName("n2").edit(n -> {
            n.getMetadata().getAnnotations().put(PREFIX + "public-ip", "192.168.100.22");
            return n;
        });
        listener.awaitLatest("n2 changed", leases -> leases.equals(List.of(OURS,
            lease("10.244.2.0/24", "192.168.100.22"))));

        client.nodes().withName("n2").delete();
        listener.awaitLatest("n2 deleted", leases -> leases.equals(List.of(OURS)));
    }

    @Test
    void shouldSkipAndCountNodesWeftCannotReach() throws Exception {
        create(client, flannelNode("vxlan", "10.244.3.0/24", "vxlan", "192.168.100.3"));
        create(client, flannelNode("nocidr", "", "udp", "192.168.100.4"));
        create(client, flannelNode("noip", "10.244.5.0/24", "udp", ""));
        create(client, flannelNode("outside", "10.99.6.0/24", "udp", "192.168.100.6"));
        create(client, node("bare", "10.244.7.0/24"));

        registry.watch(listener);

        listener.awaitLatest("ours alone", leases -> leases.equals(List.of(OURS)));
        KubeTestKit.await("five skipped nodes", () -> registry.stats().skippedEntries() == 5);
        create(client, flannelNode("n2", "10.244.2.0/24", "udp", "192.168.100.2"));
        listener.awaitLatest("n2", leases -> leases.size() == 2);
        assertThat(registry.stats().skippedEntries()).as("the same nodes, skipped for the same reasons").isEqualTo(5);
    }

    @Test
    void shouldListAgainAfterALostWatchSoThatDeletionsMissedMeanwhileCount() throws Exception {
        create(client, flannelNode("n2", "10.244.2.0/24", "udp", "192.168.100.2"));
        registry.watch(listener);
        listener.awaitLatest("ours and n2", leases -> leases.size() == 2);

        api.stop();
        // Down long enough for the watch to count as lost (fabric8 would otherwise just watch again).
        Thread.sleep(NodeWatcher.RELIST_AFTER_MS + 1_000);
        assertThat(registry.stats().watchRestarts()).as("counted once the new list is in").isZero();
        // The API server comes back without n2: deleted while the watch was down, no DELETED event will come.
        api.replaceStore();
        try (KubernetesClient again = api.client()) {
            create(again, node("n1", "10.244.1.0/24"));
        }

        listener.awaitLatest("n2 gone after the relist", leases -> leases.equals(List.of(OURS)));
        assertThat(registry.stats().watchRestarts()).isEqualTo(1);
    }

    /**
     * An API server that ends the watch and answers the next one at once, as a real one ends each watch after its
     * request timeout: fabric8 watches again from where it was, and no node lists everything again.
     */
    @Test
    void shouldNotListAgainWhenTheWatchEndsAndIsBackAtOnce() throws Exception {
        registry.watch(listener);
        listener.awaitLatest("ours", leases -> leases.equals(List.of(OURS)));

        api.restart();
        create(client, flannelNode("n2", "10.244.2.0/24", "udp", "192.168.100.2"));

        listener.awaitLatest("n2, through the watch", leases -> leases.size() == 2);
        Thread.sleep(NodeWatcher.RELIST_AFTER_MS + 1_000);
        assertThat(registry.stats().watchRestarts()).as("relists").isZero();
    }

    @Test
    void shouldAnnotateOurNodeAgainWhenItIsDeletedAndRegisteredAgain() throws Exception {
        registry.watch(listener);
        listener.awaitLatest("ours", leases -> leases.equals(List.of(OURS)));

        client.nodes().withName("n1").delete();
        create(client, node("n1", "10.244.1.0/24"));

        KubeTestKit.await("n1 annotated again", () -> {
            final var node = client.nodes().withName("n1").get();
            return node != null && node.getMetadata().getAnnotations() != null &&
                "192.168.100.1".equals(node.getMetadata().getAnnotations().get(PREFIX + "public-ip"));
        });
        listener.awaitLatest("ours again", leases -> leases.equals(List.of(OURS)));
        assertThat(listener.reacquired).isEmpty();
    }

    @Test
    void shouldClearNetworkUnavailableAgainWhenItsClearFailedAfterTheAnnotationsWentThrough() throws Exception {
        registry.watch(listener);
        listener.awaitLatest("ours", leases -> leases.equals(List.of(OURS)));
        // A JSON patch of the node's status is the clear; the annotations go as merge patches.
        api.failWhile(403, request -> "PATCH".equals(request.getMethod())
            && request.getPath().endsWith("/nodes/n1/status")
            && String.valueOf(request.getHeader("Content-Type")).contains("json-patch"));

        client.nodes().withName("n1").delete();
        create(client, node("n1", "10.244.1.0/24"));
        KubeTestKit.await("n1 annotated again", () -> "192.168.100.1".equals(annotation("public-ip")));
        Thread.sleep(500);
        assertThat(networkUnavailable()).as("while its clear is refused").isEqualTo("True");
        api.failWhile(0, request -> false);
        // A new version of the node: the retry is then not held back by the backoff its refusals grew.
        client.nodes().withName("n1").edit(node -> {
            node.getMetadata().getLabels().put("weft.test/touched", "true");
            return node;
        });

        KubeTestKit.await("NetworkUnavailable cleared once the API server takes it",
            () -> "False".equals(networkUnavailable()));
    }

    @Test
    void shouldReportOurLeaseBackWithAnotherSubnetWhenOurPodCidrChanges() throws Exception {
        registry.watch(listener);
        listener.awaitLatest("ours", leases -> leases.equals(List.of(OURS)));

        client.nodes().withName("n1").delete();
        create(client, node("n1", "10.244.8.0/24"));

        KubeTestKit.await("the re-acquired lease", () -> !listener.reacquired.isEmpty());
        assertThat(listener.reacquired).containsExactly(lease("10.244.8.0/24", "192.168.100.1"));
    }

    private String annotation(final String name) {
        final Node node = client.nodes().withName("n1").get();
        return node == null || node.getMetadata().getAnnotations() == null ? null
            : node.getMetadata().getAnnotations().get(PREFIX + name);
    }

    private String networkUnavailable() {
        final Node node = client.nodes().withName("n1").get();
        return node == null ? null : node.getStatus().getConditions().stream()
            .filter(condition -> "NetworkUnavailable".equals(condition.getType()))
            .map(NodeCondition::getStatus).findFirst().orElse(null);
    }
}
