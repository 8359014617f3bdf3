package io.weft.dataplane.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.weft.routing.Ipv4Addresses;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** /metrics (Prometheus text) and /healthz over HTTP, on a control thread of its own. */
final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    /** @param unready why /healthz says 503, or null for 200 ("ok"). */
    MetricsServer(final int ip, final int port, final Supplier<String> metrics, final Supplier<String> unready)
        throws IOException {
        final String where = Ipv4Addresses.format(ip) + ":" + port;
        try {
            server = HttpServer.create(new InetSocketAddress(Ipv4Addresses.format(ip), port), 16);
        } catch (final IOException e) {
            throw new IOException("cannot serve /metrics and /healthz on " + where + ": " + e.getMessage() +
                " (port in use? see --healthz-port)", e);
        }
        server.createContext("/metrics", exchange -> respond(exchange, 200, metrics.get()));
        server.createContext("/healthz", exchange -> {
            final String problem = unready.get();
            respond(exchange, problem == null ? 200 : 503, problem == null ? "ok\n" : problem + "\n");
        });
        server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
            final Thread thread = new Thread(runnable, "metrics-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    private static void respond(final HttpExchange exchange, final int status, final String body) throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
