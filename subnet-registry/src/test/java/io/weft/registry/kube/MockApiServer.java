package io.weft.registry.kube;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * fabric8's mock API server in CRUD mode (a real HTTP server: list, watch, patch on an in-memory store) on loopback.
 * {@link #restart()} stops it and starts a new one on the same port over the same store; {@link #replaceStore()}
 * does so over an empty one, as an API server whose objects changed while the client could not see them.
 * {@link #failWhile} makes it refuse some requests, as an admission webhook or an API server in trouble would.
 */
public final class MockApiServer implements AutoCloseable {
    /** How long a close of the mock's Vert.x may take: past fabric8's one-minute wait in its watch listener. */
    private static final int VERTX_CLOSE_SECONDS = 75;
    private KubernetesCrudDispatcher store = new KubernetesCrudDispatcher();
    private volatile Failure failing = new Failure(0, request -> false);
    private KubernetesMockServer server;
    private MockWebServer webServer;
    private int port;

    public static MockApiServer start() {
        final MockApiServer api = new MockApiServer();
        api.launch(0);
        return api;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** A client of the test's own, to play the controller manager, the kubelet and the operator. */
    public NamespacedKubernetesClient client() {
        return server.createClient();
    }

    public void stop() {
        shutDown(server, webServer);
    }

    public void restart() {
        stop();
        launch(port);
    }

    /** Starts again on the same port, over an empty store. */
    public void replaceStore() {
        stop();
        store = new KubernetesCrudDispatcher();
        launch(port);
    }

    /** After {@link #stop()}: starts on the same port with the same store. */
    public void startAgain() {
        launch(port);
    }

    /** Answers the requests {@code which} matches with {@code status} until called again with {@code r -> false}. */
    public void failWhile(final int status, final Predicate<RecordedRequest> which) {
        failing = new Failure(status, which);
    }

    /** Requests that {@code which} matches are answered {@code status}: one field, so both change at once. */
    private record Failure(int status, Predicate<RecordedRequest> which) {
    }

    @Override
    public void close() {
        shutDown(server, webServer);
    }

    /**
     * Vert.x 5 closes the HTTP server only once every connection is closed, and a WebSocket whose client went away
     * without answering the close frame holds it for the closing timeout, as long as fabric8's own wait (its issue
     * 8131): then the server is closed but its Vert.x instance is not, so it is closed here, rather than leaving the
     * test with an error about the mock's teardown and an event loop behind.
     */
    private static void shutDown(final KubernetesMockServer server, final MockWebServer webServer) {
        try {
            server.destroy();
        } catch (final IllegalStateException e) {
            if (!String.valueOf(e.getMessage()).startsWith("Unable to close MockWebServer")) {
                throw e;
            }
            System.err.println("MockApiServer: " + e.getMessage() + " (" + e.getCause() + "); closing its Vert.x");
            closeVertx(webServer);
        }
    }

    private static void closeVertx(final MockWebServer webServer) {
        try {
            // By reflection throughout: naming Vert.x's types would need its code generator's annotations to compile.
            final Field field = MockWebServer.class.getDeclaredField("vertx");
            field.setAccessible(true);
            final Object vertx = field.get(webServer);
            final Object closing = Class.forName("io.vertx.core.Vertx").getMethod("close").invoke(vertx);
            final Object stage = Class.forName("io.vertx.core.Future").getMethod("toCompletionStage").invoke(closing);
            // Longer than the mock's own minute (below), after which the close goes through.
            ((CompletionStage<?>) stage).toCompletableFuture().get(VERTX_CLOSE_SECONDS, TimeUnit.SECONDS);
        } catch (final ReflectiveOperationException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("could not close the mock API server's Vert.x", e);
        } catch (final java.util.concurrent.TimeoutException e) {
            // Seen in CI: the mock's watch listener, told on the event loop that a watch's connection closed, waits
            // there up to a minute for its own executor, whose pending close of that WebSocket needs the event loop,
            // which is why the wait above outlasts a minute. Should it take longer still, the event loop is left to
            // the test JVM's exit (were the port still bound, a restart on it would fail to bind, loudly): a flaw of
            // the mock's, not of the code under test.
            System.err.println("MockApiServer: its Vert.x did not close (" + e + "); left to end with the JVM");
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void launch(final int requestedPort) {
        webServer = new MockWebServer();
        server = new KubernetesMockServer(new Context(), webServer, new HashMap<>(), new FailingOnRequest(store),
            false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), requestedPort);
        } catch (final UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        port = server.getPort();
    }

    /** The store's answers, but for the requests {@link #failing} matches at the time. */
    private final class FailingOnRequest extends Dispatcher {
        private final Dispatcher store;

        FailingOnRequest(final Dispatcher store) {
            this.store = store;
        }

        @Override
        public MockResponse dispatch(final RecordedRequest request) {
            final Failure failure = failing;
            if (failure.which().test(request)) {
                final int status = failure.status();
                return new MockResponse().setResponseCode(status).setBody("{\"kind\":\"Status\",\"apiVersion\":"
                    + "\"v1\",\"status\":\"Failure\",\"message\":\"refused by the test\",\"code\":" + status + "}");
            }
            return store.dispatch(request);
        }

        @Override
        public void shutdown() {
            store.shutdown();
        }

        @Override
        public void releaseResources() {
            store.releaseResources();
        }
    }
}
