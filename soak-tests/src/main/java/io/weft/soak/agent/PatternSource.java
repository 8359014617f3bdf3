package io.weft.soak.agent;

import io.weft.testbed.PatternStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * One long-lived connection to a peer's {@link PatternSink}, carrying the seed's pattern at a steady rate. When the
 * connection breaks it reports why and connects again after a pause, with the next seed; {@link #close()} ends it.
 */
final class PatternSource implements Runnable {
    private static final int CONNECT_TIMEOUT_MS = 3000;
    private static final long RETRY_PAUSE_MS = 1000;
    private static final int TICKS_PER_SECOND = 8;

    private final AgentSettings settings;
    private final String peer;
    private final AgentOut out;
    private volatile boolean closed;
    private volatile Socket socket;
    private long seed;

    PatternSource(AgentSettings settings, String peer, long seed, AgentOut out) {
        this.settings = settings;
        this.peer = peer;
        this.seed = seed;
        this.out = out;
    }

    void close() {
        closed = true;
        Socket current = socket;
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                // Closing is all we want; the run loop reports the end.
            }
        }
    }

    @Override
    public void run() {
        int chunkBytes = Math.max(1, settings.tcpBytesPerSecond() / TICKS_PER_SECOND);
        byte[] chunk = new byte[chunkBytes];
        long tickNanos = 1_000_000_000L / TICKS_PER_SECOND;
        while (!closed) {
            long sent = 0;
            try (Socket s = new Socket()) {
                socket = s;
                if (closed) {
                    break;
                }
                s.connect(new InetSocketAddress(peer, settings.tcpPort()), CONNECT_TIMEOUT_MS);
                out.line("TCPSRC", "connected " + peer + " " + seed);
                OutputStream raw = s.getOutputStream();
                DataOutputStream header = new DataOutputStream(raw);
                header.writeLong(PatternSink.MAGIC);
                header.writeLong(seed);
                header.flush();
                PatternStream pattern = new PatternStream(seed);
                long next = System.nanoTime();
                while (!closed) {
                    pattern.fill(chunk, 0, chunkBytes);
                    raw.write(chunk);
                    sent += chunkBytes;
                    next += tickNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } else {
                        next = System.nanoTime(); // blocked by a full window: no burst to catch up
                    }
                }
                out.line("TCPSRC", "end " + peer + " " + seed + " " + sent);
                return;
            } catch (IOException e) {
                if (closed) {
                    out.line("TCPSRC", "end " + peer + " " + seed + " " + sent);
                    return;
                }
                out.line("TCPSRC", "error " + peer + " " + seed + " " + sent + " " + PatternSink.oneLine(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            seed++;
            try {
                Thread.sleep(RETRY_PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
