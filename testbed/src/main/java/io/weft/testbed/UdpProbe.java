package io.weft.testbed;

import java.time.Duration;
import java.util.HexFormat;

/** UDP helpers over {@link NetTool}: count datagrams arriving at a port, or inject crafted ones. */
public final class UdpProbe {
    private static final Duration JVM_READY_TIMEOUT = Duration.ofSeconds(20);

    private UdpProbe() {
    }

    /** A running {@code udp-count}: ready to receive once returned. */
    public static final class Counter {
        private final ManagedProcess process;
        private final int seconds;

        private Counter(ManagedProcess process, int seconds) {
            this.process = process;
            this.seconds = seconds;
        }

        /** Waits for the counting window to end and returns the datagrams counted. */
        public long awaitCount() {
            if (!process.waitFor(Duration.ofSeconds(seconds + 10))) {
                process.stop();
                throw new TestbedException("udp-count did not finish" + Shell.section("log", process.logText()));
            }
            String log = process.logText();
            return log.lines().filter(l -> l.startsWith("count=")).findFirst()
                .map(l -> Long.parseLong(l.substring("count=".length())))
                .orElseThrow(() -> new TestbedException("udp-count printed no count" + Shell.section("log", log)));
        }
    }

    /** Starts counting datagrams to {@code port} (any local address) in {@code netns} for {@code seconds}. */
    public static Counter startCounter(Netns netns, int port, int seconds) {
        ManagedProcess process = netns.start("udp-count-" + port,
            NetTool.command("udp-count", Integer.toString(port), Integer.toString(seconds)));
        process.awaitLogLine(line -> line.startsWith("LISTENING"), JVM_READY_TIMEOUT);
        return new Counter(process, seconds);
    }

    /** Sends {@code payload} {@code count} times from {@code srcBind} (IP or IP:PORT) in {@code netns}. */
    public static void send(Netns netns, String srcBind, String dstIp, int dstPort, byte[] payload, int count) {
        netns.exec(Duration.ofSeconds(30), NetTool.command("udp-send", srcBind, dstIp, Integer.toString(dstPort),
            HexFormat.of().formatHex(payload), Integer.toString(count))).orThrow();
    }
}
