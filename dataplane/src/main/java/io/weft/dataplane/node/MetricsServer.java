package io.weft.dataplane.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.weft.routing.Ipv4Addresses;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * /metrics (Prometheus text), /healthz (liveness) and /readyz (readiness) over HTTP, as kube-flannel's probes ask:
 * /healthz answers 200 while the process runs, before it forwards too, so a node waiting for etcd is not restarted;
 * /readyz answers 503 with the reason until weftd forwards. flanneld's own --healthz-port, when it is a port of its
 * own, gets a server without /metrics.
 */
final class MetricsServer implements AutoCloseable {
    /**
     * The JDK server reads a request on the executor's thread: with one thread, a client that sends half a request
     * would hold every probe behind it. A few threads keep probes answered; the JDK's request timeout (set below
     * unless the operator set it) closes such connections in the end.
     */
    private static final int THREADS = 4;

    static {
        // Read once, when the JDK's server class is first used: seconds a request may take to arrive.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "10");
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * @param metrics  the /metrics text, or null for a server of the probes only.
     * @param unready  why /readyz says 503, or null for 200 ("ok").
     * @param flags    the flags that chose the port, named when it cannot be bound.
     */
    MetricsServer(final int ip, final int port, final Supplier<String> metrics, final Supplier<String> unready,
        final String flags) throws IOException {
        final String where = Ipv4Addresses.format(ip) + ":" + port;
        try {
            server = HttpServer.create(new InetSocketAddress(Ipv4Addresses.format(ip), port), 16);
        } catch (final IOException e) {
            throw new IOException("cannot serve " + (metrics == null ? "" : "/metrics, ") + "/healthz and /readyz on "
                + where + ": " + e.getMessage() + " (port in use? see " + flags + ")", e);
        }
        if (metrics != null) {
            server.createContext("/metrics", exchange -> respond(exchange, 200, metrics.get()));
        }
        server.createContext("/healthz", exchange -> respond(exchange, 200, "ok\n"));
        server.createContext("/readyz", exchange -> {
            final String problem = unready.get();
            respond(exchange, problem == null ? 200 : 503, problem == null ? "ok\n" : problem + "\n");
        });
        executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            runnable -> {
                final Thread thread = new Thread(runnable, "metrics-http");
                thread.setDaemon(true);
                return thread;
            });
        server.setExecutor(executor);
        server.start();
    }

    /** The bound port: the one asked for, or the kernel's choice for 0. */
    int port() {
        return server.getAddress().getPort();
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
        executor.shutdownNow();
    }
}
