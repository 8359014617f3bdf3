package io.weft.registry.kube;

import static io.weft.registry.kube.KubeTestKit.PREFIX;
import static io.weft.registry.kube.KubeTestKit.await;
import static io.weft.registry.kube.KubeTestKit.create;
import static io.weft.registry.kube.KubeTestKit.flannelNode;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.weft.log.OncePerKeyLog;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which node updates reach the lease watcher, against fabric8's mock API server. */
class NodeInformerTest {
    private static final long QUIET_MS = 500;

    private MockApiServer api;
    private KubernetesClient client;
    private NodeInformer informer;

    @BeforeEach
    void start() throws Exception {
        api = MockApiServer.start();
        client = api.client();
        create(client, flannelNode("own", "10.244.1.0/24", "udp", "192.168.100.1"));
        create(client, flannelNode("other", "10.244.2.0/24", "udp", "192.168.100.2"));
        informer = new NodeInformer(client, 0, NodeAnnotations.withPrefix(NodeAnnotations.DEFAULT_PREFIX),
            new OncePerKeyLog());
        informer.start();
        await("the informer's first list", informer::synced);
        while (informer.takeEvents(QUIET_MS) != 0) {
            // the two nodes' adds, however late the informer hands them over
        }
    }

    @AfterEach
    void stop() {
        informer.close();
        client.close();
        api.close();
    }

    @Test
    void shouldCacheNodesWithoutTheirStatusOrManagedFieldsButWithWhatALeaseIsReadFrom() throws Exception {
        client.nodes().withName("other").edit(node -> {
            node.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("kubelet")
                .withOperation("Update").withApiVersion("v1").build()));
            node.getMetadata().getAnnotations().put(PREFIX + "public-ip", "192.168.100.22");
            return node;
        });
        await("the update in the cache", () -> "192.168.100.22".equals(
            informer.get("other").getMetadata().getAnnotations().get(PREFIX + "public-ip")));
        final Node onTheServer = client.nodes().withName("other").get();
        assertThat(onTheServer.getStatus().getConditions()).isNotEmpty();
        assertThat(onTheServer.getMetadata().getManagedFields()).isNotEmpty();

        final Node cached = informer.get("other");

        assertThat(cached.getStatus()).isNull();
        assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(cached.getSpec().getPodCIDR()).isEqualTo("10.244.2.0/24");
        assertThat(cached.getMetadata().getResourceVersion()).isNotEmpty();
        assertThat(informer.list()).extracting(Node::getStatus).containsOnlyNulls();
    }

    @Test
    void shouldQueueNothingForAnotherNodesStatusOrUnrelatedAnnotation() throws Exception {
        kubeletAndControllerUpdate("other");

        assertThat(informer.takeEvents(QUIET_MS)).isZero();
    }

    @Test
    void shouldQueueAnotherNodesLeaseChange() throws Exception {
        client.nodes().withName("other").edit(node -> {
            node.getMetadata().getAnnotations().put(PREFIX + "public-ip", "192.168.100.22");
            return node;
        });

        assertThat(informer.takeEvents(QUIET_MS * 10)).isNotZero();
    }

    @Test
    void shouldQueueNothingForOurOwnNodesStatusEither() throws Exception {
        kubeletAndControllerUpdate("own");

        assertThat(informer.takeEvents(QUIET_MS)).isZero();
    }

    /** What a kubelet's status report and a controller's own annotation do to a node, once in the informer's cache. */
    private void kubeletAndControllerUpdate(final String name) throws InterruptedException {
        client.nodes().withName(name).edit(node -> {
            node.getStatus().getConditions().add(new NodeConditionBuilder().withType("MemoryPressure")
                .withStatus("False").build());
            node.getMetadata().getAnnotations().put("node.alpha.kubernetes.io/ttl", "15");
            return node;
        });
        await("the update in the cache", () -> "15".equals(
            informer.get(name).getMetadata().getAnnotations().get("node.alpha.kubernetes.io/ttl")));
    }
}
