package io.weft.soak.agent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Receives every peer's probes on one socket and keeps a {@link ProbeStream} and a one-way latency histogram per
 * sender. {@link #reportSecond} writes, once a second, one {@code RX} line (per sender: received, duplicates,
 * reordered, late, max latency, highest sequence) and a {@code LOSS} line per gap past the horizon; {@link
 * #reportLatency} writes each sender's latency histogram of the interval as {@code LAT}.
 */
final class ProbeReceiver implements Runnable {
    private static final long HIGHEST_LATENCY_MICROS = 60_000_000L;

    private final AgentSettings settings;
    private final DatagramChannel channel;
    private final AgentOut out;
    private final Map<String, ProbeStream> streams = new TreeMap<>();
    private final Map<String, Histogram> latencies = new HashMap<>();
    private final Map<String, Integer> instances = new HashMap<>();

    ProbeReceiver(AgentSettings settings, DatagramChannel channel, AgentOut out) {
        this.settings = settings;
        this.channel = channel;
        this.out = out;
    }

    @Override
    public void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
        while (true) {
            buffer.clear();
            InetSocketAddress from;
            try {
                from = (InetSocketAddress) channel.receive(buffer);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                out.line("ERROR", "probe receive: " + e.toString().replace('\n', ' '));
                return;
            }
            long nowMicros = settings.nowMicros();
            buffer.flip();
            String sender = from.getAddress().getHostAddress();
            if (!ProbeCodec.isIntact(buffer) || ProbeCodec.source(buffer) != ProbeSender.ipv4(sender)) {
                out.line("BAD", sender + " " + buffer.remaining());
                continue;
            }
            long sendMicros = ProbeCodec.sendMicros(buffer);
            synchronized (this) {
                Integer instance = instances.put(sender, ProbeCodec.instance(buffer));
                if (instance != null && instance != ProbeCodec.instance(buffer)) {
                    // A new pod with a departed pod's address: what the old stream still missed is lost for good.
                    streams.remove(sender).expire(Long.MAX_VALUE / 2, 0, loss -> report(sender, loss));
                }
                streams.computeIfAbsent(sender, ip -> new ProbeStream(settings.periodMicros()))
                    .onProbe(ProbeCodec.sequence(buffer), sendMicros, nowMicros);
                latencies.computeIfAbsent(sender, ip -> new Histogram(HIGHEST_LATENCY_MICROS, 3))
                    .recordValue(Math.max(0, Math.min(HIGHEST_LATENCY_MICROS, nowMicros - sendMicros)));
            }
        }
    }

    synchronized void reportSecond() {
        long nowMicros = settings.nowMicros();
        long horizonMicros = settings.lossHorizonMs() * 1000L;
        StringBuilder rx = new StringBuilder();
        streams.forEach((ip, stream) -> {
            stream.expire(nowMicros, horizonMicros, loss -> report(ip, loss));
            ProbeStream.Counts c = stream.takeCounts();
            rx.append(rx.length() == 0 ? "" : " ").append(ip).append(':').append(c.received()).append(':')
                .append(c.duplicates()).append(':').append(c.reordered()).append(':').append(c.late()).append(':')
                .append(c.maxLatencyMicros()).append(':').append(c.highest());
        });
        if (rx.length() > 0) {
            out.line("RX", rx.toString());
        }
    }

    private void report(String ip, ProbeStream.Loss loss) {
        out.line("LOSS", ip + " " + loss.fromSeq() + " " + loss.toSeq() + " " + loss.fromMicros() + " "
            + loss.toMicros());
    }

    synchronized void reportLatency() {
        ByteBuffer encoded = ByteBuffer.allocate(1 << 20);
        latencies.forEach((ip, histogram) -> {
            if (histogram.getTotalCount() == 0) {
                return;
            }
            encoded.clear();
            int length = histogram.encodeIntoCompressedByteBuffer(encoded);
            byte[] bytes = new byte[length];
            encoded.flip();
            encoded.get(bytes);
            out.line("LAT", ip + " " + Base64.getEncoder().encodeToString(bytes));
            histogram.reset();
        });
    }
}
