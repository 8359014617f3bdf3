package io.weft.registry.kube;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;

/**
 * fabric8's mock API server in CRUD mode (a real HTTP server: list, watch, patch on an in-memory store) on loopback.
 * {@link #restart()} stops it and starts a new one on the same port over the same store; {@link #replaceStore()}
 * does so over an empty one, as an API server whose objects changed while the client could not see them.
 */
final class MockApiServer implements AutoCloseable {
    private KubernetesCrudDispatcher store = new KubernetesCrudDispatcher();
    private KubernetesMockServer server;
    private int port;

    static MockApiServer start() {
        final MockApiServer api = new MockApiServer();
        api.launch(0);
        return api;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** A client of the test's own, to play the controller manager, the kubelet and the operator. */
    NamespacedKubernetesClient client() {
        return server.createClient();
    }

    void stop() {
        server.destroy();
    }

    void restart() {
        stop();
        launch(port);
    }

    /** Starts again on the same port, over an empty store. */
    void replaceStore() {
        stop();
        store = new KubernetesCrudDispatcher();
        launch(port);
    }

    /** After {@link #stop()}: starts on the same port with the same store. */
    void startAgain() {
        launch(port);
    }

    @Override
    public void close() {
        server.destroy();
    }

    private void launch(final int requestedPort) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), store, false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), requestedPort);
        } catch (final UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        port = server.getPort();
    }
}
