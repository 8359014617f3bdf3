package io.weft.testbed;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

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
            return Long.parseLong(awaitReport().split(" ")[0].substring("count=".length()));
        }

        /** Waits for the window to end and returns the report line: {@code count=N}, then udp-check's findings. */
        public String awaitReport() {
            if (!process.waitFor(Duration.ofSeconds(seconds + 10))) {
                process.stop();
                throw new TestbedException("udp receiver did not finish" + Shell.section("log", process.logText()));
            }
            String log = process.logText();
            return log.lines().filter(l -> l.startsWith("count=")).findFirst()
                .orElseThrow(() -> new TestbedException("udp receiver printed no count" + Shell.section("log", log)));
        }
    }

    /** Starts counting datagrams to {@code port} (any local address) in {@code netns} for {@code seconds}. */
    public static Counter startCounter(Netns netns, int port, int seconds) {
        return start(netns, "udp-count-" + port, seconds,
            NetTool.command("udp-count", Integer.toString(port), Integer.toString(seconds)));
    }

    /**
     * Starts checking {@link #stream} datagrams of {@code length} bytes to {@code port} for {@code seconds}; the
     * report reads {@code count=N bad=B reordered=R}.
     */
    public static Counter startChecker(Netns netns, int port, int seconds, int length) {
        return start(netns, "udp-check-" + port, seconds,
            NetTool.command("udp-check", Integer.toString(port), Integer.toString(seconds), Integer.toString(length)));
    }

    /** Sends {@code count} numbered datagrams of {@code length} bytes from {@code netns}, paced for a checker. */
    public static void stream(Netns netns, String dstIp, int dstPort, int length, int count) {
        netns.exec(Duration.ofSeconds(60), NetTool.command("udp-stream", dstIp, Integer.toString(dstPort),
            Integer.toString(length), Integer.toString(count))).orThrow();
    }

    /** Sends {@code count} numbered datagrams as {@link #stream}, {@code perSecond} of them evenly each second. */
    public static void streamPaced(Netns netns, String dstIp, int dstPort, int length, int count, int perSecond) {
        netns.exec(Duration.ofSeconds(30 + count / perSecond), NetTool.command("udp-stream", dstIp,
            Integer.toString(dstPort), Integer.toString(length), Integer.toString(count), Integer.toString(perSecond)))
            .orThrow();
    }

    private static Counter start(Netns netns, String name, int seconds, List<String> command) {
        ManagedProcess process = netns.start(name, command);
        process.awaitLogLine(line -> line.startsWith("LISTENING"), JVM_READY_TIMEOUT);
        return new Counter(process, seconds);
    }

    /** Sends {@code payload} {@code count} times from {@code srcBind} (IP or IP:PORT) in {@code netns}. */
    public static void send(Netns netns, String srcBind, String dstIp, int dstPort, byte[] payload, int count) {
        netns.exec(Duration.ofSeconds(30), NetTool.command("udp-send", srcBind, dstIp, Integer.toString(dstPort),
            HexFormat.of().formatHex(payload), Integer.toString(count))).orThrow();
    }
}
