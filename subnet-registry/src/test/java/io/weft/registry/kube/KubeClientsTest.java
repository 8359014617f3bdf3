package io.weft.registry.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.AttachedVolume;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fabric8 client weftd builds: what it reads of a node, and no connect timer that outlives a connect. */
class KubeClientsTest {
    @Test
    void shouldReadNodesWithoutImagesVolumesAndManagedFieldsButWithWhatWeftdReads() throws IOException {
        final Node sent = KubeTestKit.realistic(KubeTestKit.flannelNode("n2", "10.244.2.0/24", "udp", "192.168.0.2"),
            2);
        sent.getStatus().setVolumesInUse(List.of("kubernetes.io/csi/ebs.csi.aws.com^vol-0123456789abcdef0"));
        sent.getStatus().setVolumesAttached(List.of(new AttachedVolume("/dev/xvdba",
            "kubernetes.io/csi/ebs.csi.aws.com^vol-0123456789abcdef0")));
        final String json = new KubernetesSerialization().asJson(sent);
        assertThat(json).contains("\"images\"", "\"managedFields\"", "\"volumesInUse\"", "\"volumesAttached\"");

        try (KubernetesClient client = KubeClients.build(unreachableApi())) {
            final Node read = client.getKubernetesSerialization().unmarshal(json, Node.class);

            assertThat(read.getStatus().getImages()).isNullOrEmpty();
            assertThat(read.getStatus().getVolumesInUse()).isNullOrEmpty();
            assertThat(read.getStatus().getVolumesAttached()).isNullOrEmpty();
            assertThat(read.getMetadata().getManagedFields()).isNullOrEmpty();
            // Skipped, not kept aside as unknown properties.
            assertThat(read.getStatus().getAdditionalProperties()).isEmpty();
            assertThat(read.getMetadata().getAdditionalProperties()).isEmpty();
            assertThat(read.getMetadata().getAnnotations()).isEqualTo(sent.getMetadata().getAnnotations());
            assertThat(read.getMetadata().getLabels()).isEqualTo(sent.getMetadata().getLabels());
            assertThat(read.getSpec().getPodCIDR()).isEqualTo("10.244.2.0/24");
            assertThat(read.getStatus().getConditions()).extracting(NodeCondition::getType)
                .containsExactlyElementsOf(sent.getStatus().getConditions().stream().map(NodeCondition::getType)
                    .toList())
                .contains("NetworkUnavailable");
            assertThat(read.getStatus().getCapacity()).isEqualTo(sent.getStatus().getCapacity());
        }
    }

    @Test
    void shouldSetNoConnectTimeoutButAlwaysARequestTimeout() throws IOException {
        try (KubernetesClient client = KubeClients.build(unreachableApi())) {
            assertThat(client.getConfiguration().getConnectionTimeout()).isZero();
            assertThat(client.getConfiguration().getRequestTimeout()).isEqualTo(Config.DEFAULT_REQUEST_TIMEOUT);
        }
        // As KUBERNETES_REQUEST_TIMEOUT=0 would set it in a pod: fabric8 then sets no timeout on a request at all.
        final String property = Config.KUBERNETES_REQUEST_TIMEOUT_SYSTEM_PROPERTY;
        System.setProperty(property, "0");
        try (KubernetesClient client = KubeClients.build(KubeRegistryConfig.defaults("n1"))) {
            assertThat(client.getConfiguration().getRequestTimeout()).isEqualTo(Config.DEFAULT_REQUEST_TIMEOUT);
        } finally {
            System.clearProperty(property);
        }
    }

    /**
     * What leaving out the connect timeout relies on, in the JDK's client that fabric8 wraps: a connect that gets no
     * answer ends at the request's own timeout. A listener whose accept queue is full drops new connections' SYNs,
     * which is a peer that does not answer, on loopback.
     */
    @Test
    void shouldEndAConnectThatGetsNoAnswerAtTheRequestTimeout() throws Exception {
        final List<Socket> held = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            final InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                listener.getLocalPort());
            boolean full = false;
            for (int i = 0; i < 16 && !full; i++) {
                final Socket socket = new Socket();
                held.add(socket);
                try {
                    socket.connect(address, 300);
                } catch (final SocketTimeoutException e) {
                    full = true;
                }
            }
            assumeTrue(full, "this kernel kept accepting connections on a listener with a backlog of 1, so no "
                + "connect could be made to hang here");

            final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            final HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address.getHostString() + ":"
                + address.getPort() + "/api/v1/nodes")).timeout(Duration.ofMillis(500)).build();
            final long start = System.nanoTime();
            assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.discarding()))
                .isInstanceOf(HttpTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        } finally {
            for (final Socket socket : held) {
                socket.close();
            }
        }
    }

    private static KubeRegistryConfig unreachableApi() {
        return KubeRegistryConfig.defaults("n1").withApi("http://127.0.0.1:9", null);
    }
}
