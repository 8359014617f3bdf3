package io.weft.soak.agent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one process a soak runs in each pod: it probes every peer pod over UDP, answers for its own probes' receipt,
 * keeps checked TCP pattern connections to some peers and accepts theirs, and writes what it sees to stdout as
 * {@link AgentOut} lines. One JVM per pod, whatever the number of peers, keeps a dozen nodes within two cores. JDK,
 * HdrHistogram and the testbed's {@code PatternStream} only.
 */
public final class PodAgent {
    private static final long CONTROL_POLL_MS = 200;
    private static final int LATENCY_REPORT_SECONDS = 10;
    private static final int SOCKET_BUFFER_BYTES = 1 << 20;

    private final AgentSettings settings;
    private final AgentOut out;
    private final Map<String, PatternSource> sources = new HashMap<>();

    private PodAgent(AgentSettings settings) {
        this.settings = settings;
        this.out = new AgentOut(System.out, settings);
    }

    public static void main(String[] args) throws Exception {
        new PodAgent(AgentSettings.parse(args)).run();
    }

    private void run() throws IOException, InterruptedException {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
        channel.bind(new InetSocketAddress(settings.udpPort()));
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(settings.tcpPort()));
        int instance = new SecureRandom().nextInt();
        ProbeSender sender = new ProbeSender(settings, channel, out, instance);
        ProbeReceiver receiver = new ProbeReceiver(settings, channel, out);
        start("probe-sender", sender);
        start("probe-receiver", receiver);
        start("pattern-accept", new PatternSink(settings, server, out));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sender.stop();
            receiver.reportSecond();
            receiver.reportLatency();
            out.line("BYE", "");
        }, "agent-bye"));
        out.line("READY", settings.podIp() + " " + instance);
        String seen = null;
        long lastSecond = settings.nowMicros() / 1_000_000;
        while (true) {
            Thread.sleep(CONTROL_POLL_MS);
            String control = control();
            if (control != null && !control.equals(seen)) {
                seen = control;
                Peers peers = Peers.parse(control);
                sender.setPeers(peers.udp(), peers.phaseMicros());
                syncSources(peers.tcp());
            }
            long second = settings.nowMicros() / 1_000_000;
            if (second != lastSecond) {
                lastSecond = second;
                receiver.reportSecond();
                if (second % LATENCY_REPORT_SECONDS == 0) {
                    receiver.reportLatency();
                }
            }
        }
    }

    private String control() throws IOException {
        try {
            return Files.readString(settings.controlFile(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private void syncSources(Map<String, Long> wanted) {
        for (String peer : List.copyOf(sources.keySet())) {
            if (!wanted.containsKey(peer)) {
                sources.remove(peer).close();
            }
        }
        wanted.forEach((peer, seed) -> sources.computeIfAbsent(peer, ip -> {
            PatternSource source = new PatternSource(settings, ip, seed, out);
            start("pattern-source-" + ip, source);
            return source;
        }));
    }

    private static void start(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}
