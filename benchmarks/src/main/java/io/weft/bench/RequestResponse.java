package io.weft.bench;

import io.weft.testbed.ExecResult;
import io.weft.testbed.ManagedProcess;
import io.weft.testbed.Pod;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/** Runs {@link RrTool}: the echo server in pod 2, the client in pod 1, each pinned to its node's CPU. */
final class RequestResponse {
    static final int PORT = 7171;
    private static final Duration JVM_READY_TIMEOUT = Duration.ofSeconds(20);
    private static final long MIN_WARMUP_MS = 500;

    /** Round trips recorded and their percentiles in nanoseconds. */
    record Latency(long count, long p50Ns, long p99Ns) {
    }

    private RequestResponse() {
    }

    static Latency run(Pod server, Pod client, int seconds, Pinning pinning) {
        ManagedProcess serverProcess = server.start("rr-server", pinning.wrap(2, command("server",
            Integer.toString(PORT))));
        try {
            serverProcess.awaitLogLine(line -> line.startsWith("LISTENING"), JVM_READY_TIMEOUT);
            long warmupMs = Math.max(MIN_WARMUP_MS, seconds * 1000L / 5);
            ExecResult result = client.exec(Duration.ofSeconds(seconds + 60L), pinning.wrap(1, command("client",
                server.ip(), Integer.toString(PORT), Integer.toString(seconds), Long.toString(warmupMs))));
            String line = result.stdout().lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("rr client printed no RESULT (exit " + result.exitCode()
                    + ")\n--- stdout ---\n" + result.stdout() + "\n--- stderr ---\n" + result.stderr()
                    + "\n--- server log ---\n" + serverProcess.logText()));
            return parse(line);
        } finally {
            serverProcess.stop();
        }
    }

    static Latency parse(String resultLine) {
        Map<String, Long> fields = new TreeMap<>();
        for (String field : resultLine.substring("RESULT ".length()).trim().split("\\s+")) {
            int equals = field.indexOf('=');
            fields.put(field.substring(0, equals), Long.parseLong(field.substring(equals + 1)));
        }
        if (!fields.containsKey("count") || !fields.containsKey("p50_ns") || !fields.containsKey("p99_ns")) {
            throw new IllegalArgumentException("incomplete rr result: " + resultLine);
        }
        return new Latency(fields.get("count"), fields.get("p50_ns"), fields.get("p99_ns"));
    }

    /** {@code java -cp <RrTool's and HdrHistogram's locations> io.weft.bench.RrTool <args>}. */
    static List<String> command(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-cp", classPath(),
            RrTool.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> type : List.of(RrTool.class, Histogram.class)) {
            CodeSource source = type.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return System.getProperty("java.class.path");
            }
            try {
                entries.add(Path.of(source.getLocation().toURI()).toString());
            } catch (URISyntaxException e) {
                return System.getProperty("java.class.path");
            }
        }
        return String.join(":", entries);
    }
}
