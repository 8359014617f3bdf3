package io.weft.soak.agent;

import io.weft.testbed.PatternStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * Accepts long-lived pattern connections and checks every byte against the sender's {@link PatternStream}. Reports
 * {@code TCP open|stall|resume|corrupt|closed PEER SEED ...}: a stall is a connection with no byte for longer than the
 * stall bound, reported once when it starts and once, with its length, when bytes flow again.
 */
final class PatternSink implements Runnable {
    static final long MAGIC = 0x5745465450415431L; // "WEFTPAT1"
    private static final int POLL_MS = 100;

    private final AgentSettings settings;
    private final ServerSocket server;
    private final AgentOut out;

    PatternSink(AgentSettings settings, ServerSocket server, AgentOut out) {
        this.settings = settings;
        this.server = server;
        this.out = out;
    }

    @Override
    public void run() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread thread = new Thread(() -> check(socket), "pattern-sink-" + socket.getInetAddress()
                    .getHostAddress());
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    out.line("ERROR", "accept: " + oneLine(e));
                }
            }
        }
    }

    private void check(Socket socket) {
        String peer = socket.getInetAddress().getHostAddress();
        long seed = 0;
        long bytes = 0;
        try (socket) {
            InputStream raw = socket.getInputStream();
            DataInputStream in = new DataInputStream(raw);
            socket.setSoTimeout(settings.stallMs() * 10);
            if (in.readLong() != MAGIC) {
                out.line("TCP", "corrupt " + peer + " 0 header");
                return;
            }
            seed = in.readLong();
            socket.setSoTimeout(POLL_MS);
            out.line("TCP", "open " + peer + " " + seed);
            long lastProgress = System.nanoTime();
            PatternStream expected = new PatternStream(seed);
            byte[] data = new byte[16 * 1024];
            byte[] want = new byte[data.length];
            long stalledSince = -1;
            while (true) {
                int n;
                try {
                    n = raw.read(data);
                } catch (SocketTimeoutException e) {
                    long idleNanos = System.nanoTime() - lastProgress;
                    if (stalledSince < 0 && idleNanos > settings.stallMs() * 1_000_000L) {
                        stalledSince = settings.nowMicros() - idleNanos / 1000;
                        out.line("TCP", "stall " + peer + " " + seed + " " + stalledSince);
                    }
                    continue;
                }
                if (n < 0) {
                    out.line("TCP", "closed " + peer + " " + seed + " eof " + bytes);
                    return;
                }
                expected.fill(want, 0, n);
                int mismatch = Arrays.mismatch(data, 0, n, want, 0, n);
                if (mismatch >= 0) {
                    out.line("TCP", "corrupt " + peer + " " + seed + " " + (bytes + mismatch));
                    return;
                }
                bytes += n;
                if (stalledSince >= 0) {
                    out.line("TCP", "resume " + peer + " " + seed + " " + (settings.nowMicros() - stalledSince) / 1000);
                    stalledSince = -1;
                }
                lastProgress = System.nanoTime();
            }
        } catch (EOFException e) {
            out.line("TCP", "closed " + peer + " " + seed + " eof-in-header " + bytes);
        } catch (IOException e) {
            String reason = String.valueOf(e.getMessage()).toLowerCase().contains("reset") ? "reset" : "error";
            out.line("TCP", "closed " + peer + " " + seed + " " + reason + " " + bytes + " " + oneLine(e));
        }
    }

    static String oneLine(Throwable e) {
        return e.toString().replaceAll("\\s+", "_");
    }
}
