package io.weft.testbed;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Stands in for weftd's health and metrics endpoints (JDK classes only: it runs from a jar of itself). */
public final class FakeWeftd implements HttpHandler {
    static final String METRICS = "# TYPE weft_up gauge\nweft_up 1\nweft_drops_total{reason=\"no_route\"} 4\n";

    public static void main(String[] args) throws IOException {
        String ip = "127.0.0.1";
        int port = 9286;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--metrics-ip")) {
                ip = args[i + 1];
            } else if (args[i].equals("--metrics-port")) {
                port = Integer.parseInt(args[i + 1]);
            }
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(ip, port), 0);
        server.createContext("/", new FakeWeftd());
        server.start();
        System.out.println("fake weftd serving on " + ip + ":" + port);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        byte[] body = (path.equals("/metrics") ? METRICS : "ok\n").getBytes(StandardCharsets.UTF_8);
        int status = path.equals("/metrics") || path.equals("/healthz") || path.equals("/readyz") ? 200 : 404;
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
