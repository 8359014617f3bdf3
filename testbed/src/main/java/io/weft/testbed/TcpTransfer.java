package io.weft.testbed;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A TCP transfer from one pod to another, checked byte for byte by {@link NetTool}'s sink. */
public final class TcpTransfer {
    public static final int DEFAULT_PORT = 7070;
    private static final Duration JVM_READY_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern BYTES = Pattern.compile("\\bbytes=(\\d+)|at offset (\\d+)");
    private static final Pattern MAX_GAP = Pattern.compile("\\bmaxGapMs=(\\d+)");

    private TcpTransfer() {
    }

    /**
     * What the sink reported: intact only for {@code OK}; bytes = verified bytes (or the offset of the first wrong
     * one); the sink's peer address shows whether the connection was masqueraded on the way.
     */
    public record Result(boolean intact, long bytes, String report, String peer, String sinkLog) {
        /** The longest time the sink waited for the next bytes, once they had begun; -1 when not reported. */
        public long maxGapMs() {
            Matcher matcher = MAX_GAP.matcher(report);
            return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
        }
    }

    /** Sends {@code bytes} pseudo-random bytes from {@code from} to {@code to}'s IP, port 7070. */
    public static Result run(Pod from, Pod to, long bytes) {
        return run(from, to, to.ip(), DEFAULT_PORT, bytes, ThreadLocalRandom.current().nextLong());
    }

    /** As {@link #run(Pod, Pod, long)}, the source sending at {@code bytesPerSecond}: a transfer that lasts. */
    public static Result runPaced(Pod from, Pod to, long bytes, long bytesPerSecond) {
        return run(from, to, to.ip(), DEFAULT_PORT, bytes, ThreadLocalRandom.current().nextLong(), bytesPerSecond);
    }

    public static Result run(Netns from, Netns to, String toIp, int port, long bytes, long seed) {
        return run(from, to, toIp, port, bytes, seed, 0);
    }

    private static Result run(Netns from, Netns to, String toIp, int port, long bytes, long seed,
        long bytesPerSecond) {
        ManagedProcess sink = to.start("tcp-sink-" + port, NetTool.command("tcp-sink", Integer.toString(port)));
        try {
            sink.awaitLogLine(line -> line.startsWith("LISTENING"), JVM_READY_TIMEOUT);
            // 10 MB/s is a floor no working path misses; the rest is JVM start.
            Duration timeout = Duration.ofSeconds(30 + bytes / 10_000_000
                + (bytesPerSecond == 0 ? 0 : bytes / bytesPerSecond));
            ExecResult source = from.exec(timeout, NetTool.command("tcp-source", toIp, Integer.toString(port),
                Long.toString(bytes), Long.toString(seed), Long.toString(bytesPerSecond)));
            if (!sink.waitFor(Duration.ofSeconds(NetTool.READ_TIMEOUT_MS / 1000 + 5))) {
                sink.stop();
            }
            String log = sink.logText();
            String report = log.lines().filter(TcpTransfer::isReport).reduce((a, b) -> b).orElse(null);
            if (report == null) {
                throw new TestbedException("tcp-sink in " + to.name() + " reported nothing" + Shell.section("sink", log)
                    + Shell.section("source", source.stdout() + source.stderr()));
            }
            String peer = log.lines().filter(l -> l.startsWith("ACCEPTED from=")).findFirst()
                .map(l -> l.substring("ACCEPTED from=".length())).orElse("");
            return new Result(report.startsWith("OK "), parseBytes(report), report, peer, log);
        } finally {
            sink.stop();
        }
    }

    static long parseBytes(String report) {
        Matcher matcher = BYTES.matcher(report);
        if (!matcher.find()) {
            return 0;
        }
        return Long.parseLong(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
    }

    private static boolean isReport(String line) {
        return List.of("OK ", "MISMATCH ", "SHORT ", "LONG ", "ERROR ").stream().anyMatch(line::startsWith);
    }
}
