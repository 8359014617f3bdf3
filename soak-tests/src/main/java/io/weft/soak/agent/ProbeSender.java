package io.weft.soak.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends one probe to every peer per period, on a grid of the shared clock shifted by the agent's phase: with one phase
 * for all, a node's weftd wakes once per tick for all its pods' probes; with phases spread over the period, once per
 * pod and tick, as unsynchronised traffic makes it. A tick missed (a pause) is skipped, never caught up, so the
 * sequence numbers stay one per probe actually sent.
 */
final class ProbeSender implements Runnable {
    private final AgentSettings settings;
    private final DatagramChannel channel;
    private final AgentOut out;
    private final int source;
    private final int instance;
    private final Map<String, Stream> streams = new LinkedHashMap<>();
    private volatile List<String> peers = List.of();
    private volatile long phaseNanos;
    private volatile boolean stopping;

    private static final class Stream {
        final InetSocketAddress address;
        long nextSeq;

        Stream(InetSocketAddress address) {
            this.address = address;
        }
    }

    ProbeSender(AgentSettings settings, DatagramChannel channel, AgentOut out, int instance) {
        this.settings = settings;
        this.channel = channel;
        this.out = out;
        this.source = ipv4(settings.podIp());
        this.instance = instance;
    }

    void setPeers(List<String> udpPeers, long phaseMicros) {
        peers = List.copyOf(udpPeers);
        phaseNanos = phaseMicros * 1000;
    }

    void stop() {
        stopping = true;
    }

    @Override
    public void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(ProbeCodec.LENGTH);
        long periodNanos = settings.periodMicros() * 1000;
        long lastReportSecond = -1;
        while (!stopping) {
            long sinceEpoch = System.nanoTime() - settings.epochNanos() - phaseNanos;
            long tick = sinceEpoch / periodNanos + 1;
            LockSupport.parkNanos(tick * periodNanos - sinceEpoch);
            syncStreams();
            for (Map.Entry<String, Stream> entry : streams.entrySet()) {
                Stream stream = entry.getValue();
                ProbeCodec.encode(buffer, source, instance, stream.nextSeq, settings.nowMicros());
                try {
                    channel.send(buffer, stream.address);
                } catch (IOException e) {
                    // ENETUNREACH and the like while a route is gone: the probe is lost, as on the wire.
                }
                stream.nextSeq++;
            }
            long second = settings.nowMicros() / 1_000_000;
            if (second != lastReportSecond) {
                lastReportSecond = second;
                report("TX");
            }
        }
        List.copyOf(streams.keySet()).forEach(this::end);
    }

    private void syncStreams() {
        List<String> wanted = peers;
        for (String ip : List.copyOf(streams.keySet())) {
            if (!wanted.contains(ip)) {
                end(ip);
            }
        }
        for (String ip : wanted) {
            streams.computeIfAbsent(ip, key -> new Stream(new InetSocketAddress(address(key), settings.udpPort())));
        }
    }

    private void end(String ip) {
        Stream stream = streams.remove(ip);
        if (stream != null) {
            out.line("TXEND", ip + " " + (stream.nextSeq - 1));
        }
    }

    private void report(String type) {
        if (streams.isEmpty()) {
            return;
        }
        StringBuilder fields = new StringBuilder();
        streams.forEach((ip, stream) -> fields.append(fields.length() == 0 ? "" : " ").append(ip).append(':')
            .append(stream.nextSeq - 1));
        out.line(type, fields.toString());
    }

    static int ipv4(String ip) {
        byte[] bytes = address(ip).getAddress();
        return ByteBuffer.wrap(bytes).getInt();
    }

    static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + ip, e);
        }
    }
}
