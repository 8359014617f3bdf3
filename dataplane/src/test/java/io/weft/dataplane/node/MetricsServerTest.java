package io.weft.dataplane.node;

import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Liveness and readiness as kube-flannel's probes read them, on loopback. */
class MetricsServerTest {
    /** Far above any answer on loopback: only a server that does not answer reaches it. */
    private static final Duration NO_ANSWER = Duration.ofSeconds(5);

    private final AtomicReference<String> unready = new AtomicReference<>("not forwarding");
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(NO_ANSWER).build();
    private MetricsServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldAnswerLiveButNotReadyWhenNotYetForwarding() throws Exception {
        server = new MetricsServer(ip("127.0.0.1"), 0, () -> "weft_up 1\n", unready::get, "--metrics-port");

        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        final HttpResponse<String> readyz = get("/readyz");
        assertThat(readyz.statusCode()).isEqualTo(503);
        assertThat(readyz.body()).isEqualTo("not forwarding\n");
    }

    @Test
    void shouldAnswerReadyWhenForwarding() throws Exception {
        server = new MetricsServer(ip("127.0.0.1"), 0, () -> "weft_up 1\n", unready::get, "--metrics-port");
        unready.set(null);

        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/metrics").body()).isEqualTo("weft_up 1\n");
    }

    @Test
    void shouldServeOnlyTheProbesWhenGivenNoMetrics() throws Exception {
        server = new MetricsServer(ip("127.0.0.1"), 0, null, unready::get, "--healthz-port");
        unready.set(null);

        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        assertThat(get("/metrics").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldNameThePortFlagWhenThePortIsTaken() throws Exception {
        server = new MetricsServer(ip("127.0.0.1"), 0, null, unready::get, "--healthz-port");
        final int taken = server.port();
        assertThatThrownBy(() -> new MetricsServer(ip("127.0.0.1"), taken, () -> "", unready::get, "--metrics-port"))
            .isInstanceOf(IOException.class).hasMessageStartingWith("cannot serve /metrics, /healthz and /readyz on")
            .hasMessageEndingWith("(port in use? see --metrics-port)");
    }

    @Test
    void shouldAnswerProbesWhenAnotherClientSentHalfARequest() throws Exception {
        server = new MetricsServer(ip("127.0.0.1"), 0, () -> "", unready::get, "--metrics-port");
        try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            final OutputStream out = slow.getOutputStream();
            out.write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            assertThat(get("/healthz").statusCode()).isEqualTo(200);
        }
    }

    private HttpResponse<String> get(final String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(NO_ANSWER).build(), HttpResponse.BodyHandlers.ofString());
    }
}
