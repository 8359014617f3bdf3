package io.weft.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.weft.registry.RegistryStats;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An endpoint that is not etcd's JSON API (an etcd without it, another HTTP service, a proxy's error page) is told
 * apart from etcd being away: a URL without the API is refused, naming what weft needs; a page that is not etcd's
 * answer is retried, quoting it. The server here is the JDK's, answering as such services do.
 */
class EtcdHttpAnswersTest {
    private HttpServer server;
    private HttpServer second;

    @AfterEach
    void stop() {
        for (final HttpServer running : new HttpServer[] {server, second}) {
            if (running != null) {
                running.stop(0);
            }
        }
    }

    /** With several endpoints, one that answers something else is passed over, as one that does not answer. */
    @Test
    void shouldAskTheNextEndpointAfterAnAnswerThatIsNotEtcds() throws Exception {
        second = start(200, "{\"header\":{\"revision\":\"5\"}}");
        server = start(200, "<html>a proxy</html>");
        final EtcdRegistryConfig config = EtcdRegistryConfig.defaults(List.of(url(server), url(second)));
        final EtcdCalls calls = new EtcdCalls(EtcdHttp.open(config), config, new RegistryStats());

        assertThatThrownBy(() -> calls.get("/coreos.com/network/config")).isInstanceOf(RetryableEtcdException.class);
        assertThat(calls.get("/coreos.com/network/config")).as("etcd's answer: no such key").isNull();
    }

    @Test
    void shouldRefuseAUrlWithoutEtcdsJsonApiNamingWhatItNeeds() throws Exception {
        serve(404, "404 page not found\n");
        assertThatThrownBy(() -> calls().get("/coreos.com/network/config"))
            .isInstanceOf(IOException.class).isNotInstanceOf(RetryableEtcdException.class)
            .hasMessageContaining("no etcd v3 JSON API at http://127.0.0.1:")
            .hasMessageContaining("etcd 3.4 or newer");
    }

    @Test
    void shouldRetryAnAnswerThatIsNotEtcdsQuotingIt() throws Exception {
        serve(200, "<html><body>Welcome to the proxy</body></html>");
        assertThatThrownBy(() -> calls().get("/coreos.com/network/config"))
            .isInstanceOf(RetryableEtcdException.class)
            .hasMessageContaining("not an etcd answer").hasMessageContaining("Welcome to the proxy");

        server.stop(0);
        serve(503, "");
        assertThatThrownBy(() -> calls().get("/coreos.com/network/config"))
            .isInstanceOf(RetryableEtcdException.class).hasMessageContaining("HTTP 503")
            .hasMessageContaining("(empty)");
    }

    @Test
    void shouldNotTakeAnEmptyJsonObjectForAnAnswer() throws Exception {
        serve(200, "{}");
        assertThatThrownBy(() -> calls().keepAliveOnce(42))
            .isInstanceOf(RetryableEtcdException.class).hasMessageContaining("no etcd answer");
    }

    private void serve(final int status, final String body) throws IOException {
        server = start(status, body);
    }

    private static String url(final HttpServer running) {
        return "http://127.0.0.1:" + running.getAddress().getPort();
    }

    private static HttpServer start(final int status, final String body) throws IOException {
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }

    private EtcdCalls calls() throws IOException {
        final EtcdRegistryConfig config = EtcdRegistryConfig.defaults(List.of(url(server)));
        return new EtcdCalls(EtcdHttp.open(config), config, new RegistryStats());
    }
}
