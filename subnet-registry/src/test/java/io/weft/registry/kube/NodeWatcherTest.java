package io.weft.registry.kube;

import static io.weft.registry.kube.KubeTestKit.await;
import static io.weft.registry.kube.KubeTestKit.create;
import static io.weft.registry.kube.KubeTestKit.flannelNode;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.weft.log.OncePerKeyLog;
import io.weft.registry.Json;
import io.weft.registry.NetworkConfig;
import io.weft.registry.RegistryStats;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lease watcher's turns, against fabric8's mock API server. */
class NodeWatcherTest {
    private MockApiServer api;
    private KubernetesClient client;
    private NodeInformer informer;
    private NodeWatcher watcher;
    private final AtomicInteger ownNodeLooks = new AtomicInteger();
    private final List<String> looksAt = new CopyOnWriteArrayList<>();
    private final KubeTestKit.RecordingListener listener = new KubeTestKit.RecordingListener();

    @BeforeEach
    void start() throws Exception {
        api = MockApiServer.start();
        client = api.client();
        create(client, flannelNode("own", "10.244.1.0/24", "udp", "192.168.100.1"));
        final NodeAnnotations names = NodeAnnotations.withPrefix(NodeAnnotations.DEFAULT_PREFIX);
        informer = new NodeInformer(client, 0, names, new OncePerKeyLog());
        informer.start();
        watcher = new NodeWatcher(informer, names, NetworkConfig.parse(Json.read(KubeTestKit.NET_CONF)), "own",
            node -> {
                looksAt.add(node == null ? "none" : node.getMetadata().getName());
                ownNodeLooks.incrementAndGet();
            }, listener, new RegistryStats(), new OncePerKeyLog());
        watcher.start();
        listener.awaitLatest("the first set", leases -> leases.size() == 1);
    }

    @AfterEach
    void stop() {
        watcher.close();
        informer.close();
        client.close();
        api.close();
    }

    @Test
    void shouldLookAtOurOwnNodeAgainWhileNoEventComesSoThatAFailedWriteIsRetried() throws Exception {
        final int looked = ownNodeLooks.get();

        await("more looks at our node with no event", () -> ownNodeLooks.get() >= looked + 3);

        assertThat(listener.deliveries).hasSize(1);
        assertThat(looksAt).containsOnly("own");
    }
}
