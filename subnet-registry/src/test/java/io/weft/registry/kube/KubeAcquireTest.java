package io.weft.registry.kube;

import static io.weft.registry.kube.KubeTestKit.PREFIX;
import static io.weft.registry.kube.KubeTestKit.create;
import static io.weft.registry.kube.KubeTestKit.ip;
import static io.weft.registry.kube.KubeTestKit.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our lease from our node, against fabric8's mock API server: podCIDR, annotations, NetworkUnavailable. */
class KubeAcquireTest {
    @TempDir
    Path dir;
    private MockApiServer api;
    private KubernetesClient client;

    @BeforeEach
    void startApi() {
        api = MockApiServer.start();
        client = api.client();
    }

    @AfterEach
    void stopApi() {
        client.close();
        api.close();
    }

    @Test
    void shouldLeaseThePodCidrAndAnnotateTheNodeAsFlanneld() throws Exception {
        create(client, node("n1", "10.244.7.0/24"));
        try (KubeLeaseRegistry registry = KubeTestKit.registry(api, dir, "n1")) {
            registry.awaitNetworkConfig();

            final Lease lease = registry.acquire(ip("192.168.100.1"), null, false);

            assertThat(lease).isEqualTo(KubeTestKit.lease("10.244.7.0/24", "192.168.100.1"));
            assertThat(client.nodes().withName("n1").get().getMetadata().getAnnotations())
                .containsEntry(PREFIX + "backend-type", "udp")
                .containsEntry(PREFIX + "backend-data", "null")
                .containsEntry(PREFIX + "public-ip", "192.168.100.1")
                .containsEntry(PREFIX + "kube-subnet-manager", "true");
        }
    }

    @Test
    void shouldSayInBackendDataThatItTakesPartialChecksums() throws Exception {
        create(client, node("n1", "10.244.7.0/24"));
        try (KubeLeaseRegistry registry = KubeTestKit.registry(api, dir, "n1")) {
            registry.awaitNetworkConfig();

            assertThat(registry.acquire(ip("192.168.100.1"), null, true).partialChecksums()).isTrue();
            assertThat(client.nodes().withName("n1").get().getMetadata().getAnnotations())
                .containsEntry(PREFIX + "backend-data", "{\"WeftPartialChecksums\":true}");
        }
    }

    /** A key rotation's steps reach our node's backend-data annotation. */
    @Test
    void shouldAdvertiseNewKeysInTheBackendDataAnnotation() throws Exception {
        create(client, node("n1", "10.244.7.0/24"));
        final String first = Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'B');
        final String second = first.replace('B', 'C');
        try (KubeLeaseRegistry registry = KubeTestKit.registry(api, dir, "n1")) {
            registry.awaitNetworkConfig();
            registry.acquire(ip("192.168.100.1"), null, new BackendData(false, first, 7));

            registry.advertise(new BackendData(false, second, 7, first));

            assertThat(BackendData.parse(client.nodes().withName("n1").get().getMetadata().getAnnotations()
                .get(PREFIX + "backend-data"))).isEqualTo(new BackendData(false, second, 7, first));
        }
    }

    @Test
    void shouldClearNetworkUnavailableAndKeepTheOtherConditions() throws Exception {
        create(client, node("n1", "10.244.7.0/24"));
        try (KubeLeaseRegistry registry = KubeTestKit.registry(api, dir, "n1")) {
            registry.awaitNetworkConfig();
            registry.acquire(ip("192.168.100.1"), null, false);

            final Node node = client.nodes().withName("n1").get();
            assertThat(node.getStatus().getConditions()).extracting(NodeCondition::getType, NodeCondition::getStatus)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Ready", "True"),
                    org.assertj.core.groups.Tuple.tuple("NetworkUnavailable", "False"));
            assertThat(node.getStatus().getConditions().get(1).getReason()).isEqualTo("FlannelIsUp");
        }
    }

    @Test
    void shouldAdvertiseThePublicIpOverwriteAnnotation() throws Exception {
        final Node node = node("n1", "10.244.7.0/24");
        node.getMetadata().setAnnotations(java.util.Map.of(PREFIX + "public-ip-overwrite", "203.0.113.9"));
        create(client, node);
        try (KubeLeaseRegistry registry = KubeTestKit.registry(api, dir, "n1")) {
            registry.awaitNetworkConfig();
            registry.acquire(ip("192.168.100.1"), null, false);

            assertThat(client.nodes().withName("n1").get().getMetadata().getAnnotations())
                .containsEntry(PREFIX + "public-ip", "203.0.113.9");
        }
    }

    @Test
    void shouldWaitForThePodCidrWhenTheNodeHasNoneYet() throws Exception {
        create(client, node("n1", ""));
        try (KubeLeaseRegistry registry = KubeTestKit.registry(api, dir, "n1")) {
            registry.awaitNetworkConfig();
            final CompletableFuture<Lease> acquired = CompletableFuture.supplyAsync(() -> {
                try {
                    return registry.acquire(ip("192.168.100.1"), null, false);
                } catch (final IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            KubeTestKit.await("the registry to list the nodes", () -> registry.nodesListed());
            assertThat(acquired).isNotDone();

            client.nodes().withName("n1").edit(n -> {
                n.getSpec().setPodCIDR("10.244.9.0/24");
                return n;
            });

            assertThat(acquired.get(20, TimeUnit.SECONDS).subnet()).isEqualTo(Ipv4Prefix.parse("10.244.9.0/24"));
        }
    }

    @Test
    void shouldRefuseAPodCidrOutsideTheNetwork() throws Exception {
        create(client, node("n1", "10.99.1.0/24"));
        try (KubeLeaseRegistry registry = KubeTestKit.registry(api, dir, "n1")) {
            registry.awaitNetworkConfig();

            assertThatThrownBy(() -> registry.acquire(ip("192.168.100.1"), null, false))
                .isInstanceOf(IOException.class).hasMessageContaining("not inside Network 10.244.0.0/16");
        }
    }
}
