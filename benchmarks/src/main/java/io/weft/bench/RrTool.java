package io.weft.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Request/response latency tool run inside pods: a 1-byte ping-pong over one TCP connection (TCP_NODELAY), one
 * request in flight. The client discards a warm-up period (JIT, caches), then records every round trip in an
 * HdrHistogram and prints one {@code RESULT} line. Only this class and HdrHistogram are needed on the class path.
 */
public final class RrTool {
    static final String USAGE = String.join("\n",
        "usage: RrTool server PORT",
        "       RrTool client HOST PORT SECONDS WARMUP_MS");
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int SIGNIFICANT_DIGITS = 3;
    private static final int ACCEPT_TIMEOUT_MS = 60_000;

    private RrTool() {
    }

    public static void main(String[] args) throws IOException {
        System.exit(run(args, System.out));
    }

    static int run(String[] args, PrintStream out) throws IOException {
        if (args.length == 2 && "server".equals(args[0])) {
            serve(Integer.parseInt(args[1]), out);
            return 0;
        }
        if (args.length == 5 && "client".equals(args[0])) {
            long durationNs = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
            long warmupNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[4]));
            Histogram histogram = measure(args[1], Integer.parseInt(args[2]), durationNs, warmupNs);
            out.println(resultLine(histogram));
            return 0;
        }
        out.println(USAGE);
        return 2;
    }

    /** Echoes every byte of one connection until the client closes it. */
    static void serve(int port, PrintStream out) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(port));
            server.setSoTimeout(ACCEPT_TIMEOUT_MS);
            out.println("LISTENING port=" + server.getLocalPort());
            out.flush();
            try (Socket socket = server.accept()) {
                socket.setTcpNoDelay(true);
                InputStream in = socket.getInputStream();
                OutputStream echo = socket.getOutputStream();
                for (int b = in.read(); b >= 0; b = in.read()) {
                    echo.write(b);
                }
            }
        }
    }

    /** Round trips for {@code warmupNs} unrecorded, then for {@code durationNs} recorded (nanoseconds). */
    static Histogram measure(String host, int port, long durationNs, long warmupNs) throws IOException {
        Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), ACCEPT_TIMEOUT_MS);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            long warmupEnd = System.nanoTime() + warmupNs;
            while (System.nanoTime() - warmupEnd < 0) {
                roundTrip(in, out);
            }
            long end = System.nanoTime() + durationNs;
            long now = System.nanoTime();
            while (now - end < 0) {
                roundTrip(in, out);
                long after = System.nanoTime();
                histogram.recordValue(Math.min(after - now, HIGHEST_TRACKABLE_NS));
                now = after;
            }
        }
        return histogram;
    }

    static String resultLine(Histogram histogram) {
        return "RESULT count=" + histogram.getTotalCount()
            + " p50_ns=" + histogram.getValueAtPercentile(50)
            + " p99_ns=" + histogram.getValueAtPercentile(99)
            + " p999_ns=" + histogram.getValueAtPercentile(99.9)
            + " max_ns=" + histogram.getMaxValue()
            + " mean_ns=" + Math.round(histogram.getMean());
    }

    private static void roundTrip(InputStream in, OutputStream out) throws IOException {
        out.write(1);
        if (in.read() < 0) {
            throw new IOException("server closed the connection");
        }
    }
}
