package io.weft.bench;

import io.weft.testbed.ExecResult;
import io.weft.testbed.PingResult;
import io.weft.testbed.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Measures one topology from pod 1 (node 1) to pod 2 (node 2), in this order after an unrecorded TCP warm-up: TCP 1
 * stream (with the dataplane's CPU time), TCP 4 streams, 64-byte UDP packets/s, ping, request/response latency.
 */
final class PodToPod {
    static final int UDP_PAYLOAD_BYTES = 64;
    /** A short gap between measurements, so queues drained by one do not leak into the next. */
    private static final long SETTLE_MS = 500;
    private static final double BYTES_PER_GB = 1e9;

    private final BenchOptions options;
    private final Pinning pinning;
    private final long clockTicksPerSecond;
    private final Consumer<String> log;

    PodToPod(BenchOptions options, Pinning pinning, long clockTicksPerSecond, Consumer<String> log) {
        this.options = options;
        this.pinning = pinning;
        this.clockTicksPerSecond = clockTicksPerSecond;
        this.log = log;
    }

    List<Sample> measure(Variant variant, int round, Topology topology) {
        List<Sample> samples = new ArrayList<>();
        Pod client = topology.pod1();
        Pod server = topology.pod2();
        int seconds = options.seconds();
        topology.useTcpCongestionControl(options.tcpCongestion());

        if (options.warmupSeconds() > 0) {
            // JIT, ARP and socket buffers settle before anything counts; weftd's CPU time would include its JIT.
            PinnedIperf3.tcp(server, client, options.warmupSeconds(), 1, pinning);
            settle();
        }
        long ticksBefore = ProcCpu.ticks(topology.dataplanePids());
        PinnedIperf3.Outcome tcp1 = PinnedIperf3.tcp(server, client, seconds, 1, pinning)
            .requireCongestionControl(options.tcpCongestion());
        long ticks = ProcCpu.ticks(topology.dataplanePids()) - ticksBefore;
        samples.add(new Sample(variant.label(), round, Metric.TCP_1_STREAM, tcp1.result().receivedGbitsPerSecond()));
        if (!topology.dataplanePids().isEmpty()) {
            double cpuSeconds = ticks / (double) clockTicksPerSecond;
            samples.add(new Sample(variant.label(), round, Metric.DATAPLANE_CPU_PER_GB,
                cpuSeconds / (tcp1.receivedBytes() / BYTES_PER_GB)));
        }
        log.accept(String.format("%s round %d: TCP 1 stream %.3f Gbit/s (%s, %d retransmits)%s", variant.label(),
            round, tcp1.result().receivedGbitsPerSecond(), tcp1.senderCongestion(), tcp1.result().retransmits(),
            topology.dataplanePids().isEmpty() ? "" : ", dataplane CPU " + ticks + " ticks"));
        settle();

        PinnedIperf3.Outcome tcp4 = PinnedIperf3.tcp(server, client, seconds, 4, pinning)
            .requireCongestionControl(options.tcpCongestion());
        samples.add(new Sample(variant.label(), round, Metric.TCP_4_STREAMS, tcp4.result().receivedGbitsPerSecond()));
        log.accept(String.format("%s round %d: TCP 4 streams %.3f Gbit/s", variant.label(), round,
            tcp4.result().receivedGbitsPerSecond()));
        settle();

        long receiverDropsBefore = UdpCounters.receiveBufferErrors(server);
        PinnedIperf3.Outcome udp = PinnedIperf3.udp(server, client, seconds, options.udpBitrate(), UDP_PAYLOAD_BYTES,
            pinning);
        long receiverDrops = UdpCounters.receiveBufferErrors(server) - receiverDropsBefore;
        double delivered = udp.result().receivedPackets() / udp.result().seconds();
        double sent = udp.sentPackets() / udp.sentSeconds();
        double droppedByReceiver = receiverDrops / udp.sentSeconds();
        // Not a loss count to the datagram: the ends count over windows a little apart, and what sits unread in
        // iperf3's socket when it stops is in neither; a few per second either way is that.
        double lostOnTheWay = (udp.sentPackets() - udp.result().receivedPackets() - receiverDrops)
            / udp.sentSeconds();
        samples.add(new Sample(variant.label(), round, Metric.UDP_64B_DELIVERED, delivered));
        samples.add(new Sample(variant.label(), round, Metric.UDP_64B_SENT, sent));
        samples.add(new Sample(variant.label(), round, Metric.UDP_64B_DROPPED_BY_RECEIVER, droppedByReceiver));
        samples.add(new Sample(variant.label(), round, Metric.UDP_64B_LOST_ON_THE_WAY, lostOnTheWay));
        log.accept(String.format("%s round %d: UDP %d B: %.0f packets/s delivered of %.0f sent; %.0f/s dropped at the"
            + " receiving pod's full socket, %.0f/s lost on the way", variant.label(), round, UDP_PAYLOAD_BYTES,
            delivered, sent, droppedByReceiver, lostOnTheWay));
        settle();

        PingResult ping = ping(client, server.ip(), seconds);
        samples.add(new Sample(variant.label(), round, Metric.PING_P50, ping.percentileMs(50)));
        samples.add(new Sample(variant.label(), round, Metric.PING_P99, ping.percentileMs(99)));
        log.accept(String.format("%s round %d: ping p50 %.3f ms, p99 %.3f ms (%d/%d replies)", variant.label(), round,
            ping.percentileMs(50), ping.percentileMs(99), ping.received(), ping.transmitted()));
        settle();

        RequestResponse.Latency rr = RequestResponse.run(server, client, seconds, pinning);
        samples.add(new Sample(variant.label(), round, Metric.RR_P50, rr.p50Ns() / 1e3));
        samples.add(new Sample(variant.label(), round, Metric.RR_P99, rr.p99Ns() / 1e3));
        log.accept(String.format("%s round %d: request/response p50 %.1f us, p99 %.1f us (%d round trips)",
            variant.label(), round, rr.p50Ns() / 1e3, rr.p99Ns() / 1e3, rr.count()));
        return samples;
    }

    /**
     * iputils ping, {@code 1000 / intervalMs} echo requests a second for {@code seconds}; replies are parsed by
     * testbed's {@link PingResult}. Intervals under 200 ms need root, which the testbed needs anyway.
     */
    private PingResult ping(Pod from, String ip, int seconds) {
        int count = Math.max(10, seconds * 1000 / options.pingIntervalMs());
        String interval = String.format("%.3f", options.pingIntervalMs() / 1000.0);
        ExecResult result = from.exec(Duration.ofSeconds(seconds + 30L), pinning.wrap(1,
            List.of("ping", "-n", "-c", Integer.toString(count), "-i", interval, "-W", "1", ip)));
        if (result.exitCode() > 1) {
            throw new IllegalStateException("ping from " + from + " to " + ip + " failed (exit " + result.exitCode()
                + "): " + result.stderr());
        }
        PingResult ping = PingResult.parse(result.stdout());
        if (ping.received() == 0) {
            throw new IllegalStateException("no ping replies from " + ip + " to " + from);
        }
        return ping;
    }

    private static void settle() {
        try {
            Thread.sleep(SETTLE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
