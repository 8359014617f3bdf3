package io.weft.testbed;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.weft.registry.kube.MockApiServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The API server of the kube-mode end-to-end tests: fabric8's mock API server in CRUD mode in the test JVM, on
 * loopback, which the nodes reach through a {@link NetnsTcpRelay} in the hub at {@link Hub#IP}; or, when
 * {@value #KUBECONFIG_ENV} names a kubeconfig, that cluster's API server, which the nodes reach through a relay in
 * the hub at the API server's own address (routed there from each node), so the kubeconfig works unchanged.
 */
final class KubeApi implements AutoCloseable {
    static final String KUBECONFIG_ENV = "WEFT_KUBECONFIG";

    private final Path kubeconfig;
    private final String nodePrefix;
    private final MockApiServer mock;
    private final int port;
    private InetAddress address;
    private final KubernetesClient client;

    private KubeApi(Path kubeconfig, String nodePrefix) {
        this.kubeconfig = kubeconfig;
        this.nodePrefix = nodePrefix;
        if (kubeconfig == null) {
            mock = MockApiServer.start();
            port = mock.port();
            client = mock.client();
        } else {
            mock = null;
            Config config = Config.fromKubeconfig(kubeconfig.toFile());
            URI server = URI.create(config.getMasterUrl());
            try {
                address = InetAddress.getByName(server.getHost());
            } catch (UnknownHostException e) {
                throw new TestbedException("cannot resolve the API server " + server + ": " + e, e);
            }
            port = server.getPort() > 0 ? server.getPort() : 443;
            client = new KubernetesClientBuilder().withConfig(config)
                .withHttpClientFactory(new JdkHttpClientFactory()).build();
        }
    }

    /** The mock, or the cluster of {@value #KUBECONFIG_ENV}; node names get a per-run prefix on a real cluster. */
    static KubeApi start(Testbed testbed) {
        String configured = System.getenv(KUBECONFIG_ENV);
        if (configured == null || configured.isBlank()) {
            return new KubeApi(null, "");
        }
        return new KubeApi(Path.of(configured), "weft-e2e-" + testbed.prefix() + "-");
    }

    boolean isMock() {
        return kubeconfig == null;
    }

    /** The test's own client: the controller manager and the operator of these tests. */
    KubernetesClient client() {
        return client;
    }

    String nodeName(String label) {
        return nodePrefix + label;
    }

    /** Where the relay in the hub listens: what the nodes connect to. */
    InetSocketAddress addressForNodes() {
        return new InetSocketAddress(isMock() ? Hub.IP : address.getHostAddress(), port);
    }

    /** Where the relay connects, from the test's namespace. */
    InetSocketAddress target() {
        return isMock() ? new InetSocketAddress("127.0.0.1", port) : new InetSocketAddress(address, port);
    }

    /** A real cluster's API server address on the hub, where the relay listens for the nodes; before the relay. */
    void addressHub(Testbed testbed) {
        if (!isMock()) {
            testbed.hub().exec(java.time.Duration.ofSeconds(10), List.of("ip", "addr", "add",
                address.getHostAddress() + "/32", "dev", "lo")).orThrow();
        }
    }

    /** A real cluster's API server address routed from {@code node} to the hub. */
    void routeFrom(io.weft.testbed.Node node) {
        if (!isMock()) {
            node.exec("ip", "route", "replace", address.getHostAddress() + "/32", "via", Hub.IP).orThrow();
        }
    }

    /** weftd's flags to reach this API server. */
    List<String> weftdArgs() {
        return isMock() ? List.of("--kube-api-url", "http://" + Hub.IP + ":" + port)
            : List.of("--kubeconfig-file", kubeconfig.toString());
    }

    /** Registers a node as a kubelet would, with the podCIDR a controller manager would give it. */
    void registerNode(String label, String podCidr) {
        Node node = new NodeBuilder().withNewMetadata().withName(nodeName(label)).endMetadata()
            .withNewSpec().withPodCIDR(podCidr).endSpec()
            .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
            .addNewCondition().withType("NetworkUnavailable").withStatus("True").withReason("NoRouteCreated")
            .endCondition().endStatus().build();
        client.nodes().resource(node).create();
    }

    Node node(String label) {
        return client.nodes().withName(nodeName(label)).get();
    }

    void deleteNode(String label) {
        client.nodes().withName(nodeName(label)).delete();
    }

    /**
     * Stops the mock and, after {@code down}, starts a new one on the same port over the same objects, as an API
     * server restarts (a real one takes seconds to serve again).
     */
    void restart(Duration down) {
        if (!isMock()) {
            throw new IllegalStateException("a real cluster's API server is not the tests' to restart");
        }
        mock.stop();
        ManagedProcess.sleepMs(down.toMillis());
        mock.startAgain();
    }

    @Override
    public void close() {
        client.close();
        if (mock != null) {
            mock.close();
        }
    }
}
