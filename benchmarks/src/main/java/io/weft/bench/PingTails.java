package io.weft.bench;

import io.weft.testbed.ExecResult;
import io.weft.testbed.Iperf3;
import io.weft.testbed.OverlayCluster;
import io.weft.testbed.Testbed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where ping's tail comes from ({@code ./weft bench --tails}): for each option set and round, a fresh two-node cluster
 * as the bench's weft variant (static leases, NAT rules, node 1's processes pinned to the first CPU and node 2's to
 * the second), warmed by traffic of the kinds the bench sends before its ping (a TCP stream, then 64-byte UDP as fast
 * as iperf3 sends; shorter than the bench's and not pinned), then pod 1 pings pod 2 every 10 ms while {@code perf}
 * records the scheduler's switches on both CPUs.
 * Each reply slower than {@code --slow-ms} is put down to what held a CPU longest while it was in flight
 * ({@link TailCauses}). Option sets are as {@code --footprint}'s: JVM options after weftd.jvm, {@code weftd:FLAG}
 * for weftd, the empty set as shipped; sets alternate within each round.
 */
public final class PingTails {
    private static final String USAGE = "usage: PingTails [--rounds N] [--seconds S] [--warmup-seconds S]"
        + " [--warm-ping-seconds S] [--slow-ms MS] [--cpus A,B] [--out FILE] [--jvm 'NAME=OPTION OPTION...']...\n"
        + "defaults: --rounds 2 --seconds 15 --warmup-seconds 10 --warm-ping-seconds 0 --slow-ms 1 --cpus 0,1"
        + " --out perf-reports/results/tails.json --jvm shipped=";
    private static final int PING_INTERVAL_MS = 10;
    /** ping -D: "[1733444000.123456] 64 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=0.301 ms". */
    private static final Pattern REPLY = Pattern.compile(
        "^\\[(\\d+)\\.(\\d{6})] \\d+ bytes from .*\\btime=([0-9.]+) ms", Pattern.MULTILINE);

    /**
     * Seconds of iperf3 traffic (TCP, then UDP) and then of pinging before the measured ping; the latter, not in the
     * bench, shows what a weftd past its JIT compiler's warm-up does.
     */
    record Warmup(int trafficSeconds, int pingSeconds) {
    }

    private PingTails() {
    }

    public static void main(String[] args) throws IOException {
        int rounds = 2;
        int seconds = 15;
        int warmupSeconds = 10;
        int warmPingSeconds = 0;
        double slowMs = 1.0;
        List<Integer> cpus = List.of(0, 1);
        Path out = Path.of("perf-reports", "results", "tails.json");
        Map<String, List<String>> sets = new LinkedHashMap<>();
        try {
            for (int i = 0; i < args.length; i += 2) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (value == null) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i]) {
                    case "--rounds" -> rounds = Integer.parseInt(value);
                    case "--seconds" -> seconds = Integer.parseInt(value);
                    case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(value);
                    case "--warm-ping-seconds" -> warmPingSeconds = Integer.parseInt(value);
                    case "--slow-ms" -> slowMs = Double.parseDouble(value);
                    case "--cpus" -> cpus = List.of(value.split(",")).stream().map(Integer::parseInt).toList();
                    case "--out" -> out = Path.of(value);
                    case "--jvm" -> {
                        Map.Entry<String, List<String>> set = Footprint.optionSet(value);
                        sets.put(set.getKey(), set.getValue());
                    }
                    default -> throw new IllegalArgumentException("unknown flag " + args[i]);
                }
            }
            if (cpus.size() != 2 || rounds < 1 || seconds < 1 || Math.min(warmupSeconds, warmPingSeconds) < 0
                || slowMs <= 0) {
                throw new IllegalArgumentException("--cpus needs two CPUs; --rounds, --seconds and --slow-ms must be"
                    + " positive, the warm-up seconds not negative");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("PingTails: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
        }
        if (sets.isEmpty()) {
            sets.put("shipped", List.of());
        }
        Optional<String> cause = PerfRecording.unavailabilityCause();
        if (cause.isPresent()) {
            System.err.println("PingTails: cannot run: " + cause.get());
            System.exit(2);
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (Map.Entry<String, List<String>> set : sets.entrySet()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("set", set.getKey());
                result.put("options", set.getValue());
                result.put("round", round);
                try {
                    measure(set.getValue(), seconds, new Warmup(warmupSeconds, warmPingSeconds), slowMs, cpus, result);
                } catch (RuntimeException e) {
                    result.put("error", String.valueOf(e.getMessage()));
                }
                say(set.getKey() + " round " + round + ": " + summary(result));
                results.add(result);
                Map<String, Object> file = new LinkedHashMap<>();
                file.put("machine", MachineInfo.collect(MachineInfo.commandLine(PingTails.class.getName(), args),
                    ProcCpu.clockTicksPerSecond()));
                file.put("shippedJvmOptions", Footprint.readShippedOptions());
                file.put("results", results);
                ResultFile.write(out, file);
            }
        }
        say("results in " + out.toAbsolutePath());
    }

    /** Into {@code result} as the figures come. */
    private static void measure(List<String> options, int seconds, Warmup warmup, double slowMs,
        List<Integer> cpus, Map<String, Object> result) {
        Pinning pinning = Pinning.of(cpus.get(0), cpus.get(1));
        try (Testbed testbed = Testbed.create()) {
            OverlayCluster cluster = OverlayCluster.startStatic(testbed, 2, Footprint.weftdArgs(options),
                (node, command) -> pinning.wrap(node, Footprint.withJvmOptions(command, options)), true);
            if (warmup.trafficSeconds() > 0) {
                Iperf3.tcp(cluster.pod(2), cluster.pod(1), warmup.trafficSeconds(), 1);
                Iperf3.udp(cluster.pod(2), cluster.pod(1), warmup.trafficSeconds(), "0", 64);
            }
            if (warmup.pingSeconds() > 0) {
                ping(cluster, pinning, warmup.pingSeconds());
            }
            long realtimeMinusTraceUs = realtimeMinusMonotonicUs();
            // Recorded until the ping ends (it sends every 10 ms or a little less often), then stopped as ^C would.
            ExecResult ping;
            String switches;
            try (PerfRecording perf = PerfRecording.start("weft-tails", List.of("-k", "mono", "-e",
                "sched:sched_switch", "-C", cpus.get(0) + "," + cpus.get(1)))) {
                Footprint.sleep(Duration.ofSeconds(1));
                ping = ping(cluster, pinning, seconds);
                perf.stop();
                switches = perf.script("comm,pid,tid,cpu,time,event", true);
            }
            List<TailCauses.Reply> replies = replies(ping.stdout(), realtimeMinusTraceUs);
            if (replies.isEmpty()) {
                throw new IllegalStateException("no echo replies: " + ping.stdout() + ping.stderr());
            }
            List<Double> rtts = replies.stream().map(reply -> reply.rttUs() / 1000.0).sorted().toList();
            long slowUs = Math.round(slowMs * 1000);
            result.put("replies", rtts.size());
            result.put("pingP50Ms", percentile(rtts, 50));
            result.put("pingP99Ms", percentile(rtts, 99));
            result.put("pingMaxMs", rtts.get(rtts.size() - 1));
            result.put("slowMs", slowMs);
            result.put("slowReplies", replies.stream().filter(reply -> reply.rttUs() >= slowUs).count());
            Map<String, Object> causes = new LinkedHashMap<>();
            TailCauses.of(replies, SchedSwitches.parse(switches), Set.copyOf(cpus),
                Set.of(cluster.weftd(1).process().pid(), cluster.weftd(2).process().pid()), slowUs)
                .forEach((name, c) -> causes.put(name, Map.of("slowReplies", c.slowReplies(), "heldMs",
                    Math.round(c.heldMs() * 100) / 100.0)));
            result.put("causes", causes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Pod 1 pings pod 2 every {@value #PING_INTERVAL_MS} ms for {@code seconds}, pinned as node 1's processes. A
     * reply's time is the bench's: from ping's send to the kernel's receipt of the reply ({@code -U}, to ping's reading
     * it, was tried: its own wake-up made the tail noisier than what is to be explained). {@code -D} stamps the line
     * when ping prints it, a wake-up later: the window a reply is judged by ends that much late.
     */
    private static ExecResult ping(OverlayCluster cluster, Pinning pinning, int seconds) {
        return cluster.pod(1).exec(Duration.ofSeconds(2L * seconds + 30), pinning.wrap(1, List.of("ping", "-D",
            "-n", "-c", Integer.toString(seconds * 1000 / PING_INTERVAL_MS), "-i",
            String.format(Locale.ROOT, "%.3f", PING_INTERVAL_MS / 1000.0), "-W", "1", cluster.pod(2).ip())));
    }

    /** The replies in {@code pingOutput}, timed on the trace's clock. */
    static List<TailCauses.Reply> replies(String pingOutput, long realtimeMinusTraceUs) {
        List<TailCauses.Reply> replies = new ArrayList<>();
        Matcher reply = REPLY.matcher(pingOutput);
        while (reply.find()) {
            long epochUs = Long.parseLong(reply.group(1)) * 1_000_000 + Long.parseLong(reply.group(2));
            replies.add(new TailCauses.Reply(epochUs - realtimeMinusTraceUs,
                Math.round(Double.parseDouble(reply.group(3)) * 1000)));
        }
        return replies;
    }

    /** perf's "mono" clock is CLOCK_MONOTONIC, as System.nanoTime is on Linux; ping -D prints the wall clock. */
    private static long realtimeMinusMonotonicUs() {
        long best = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < 5; i++) {
            long before = System.nanoTime();
            Instant now = Instant.now();
            long after = System.nanoTime();
            if (after - before < best) {
                best = after - before;
                offset = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000 - (before + after) / 2000;
            }
        }
        return offset;
    }

    /** Nearest rank, of sorted values. */
    static double percentile(List<Double> sorted, double p) {
        return sorted.get(Math.max(0, (int)Math.ceil(p / 100 * sorted.size()) - 1));
    }

    private static String summary(Map<String, Object> result) {
        if (result.containsKey("error")) {
            return "error: " + result.get("error");
        }
        return String.format(Locale.ROOT, "%d replies, p50 %.3f ms, p99 %.3f ms, max %.2f ms; %d at or over %s ms,"
            + " put down to %s", result.get("replies"), result.get("pingP50Ms"), result.get("pingP99Ms"),
            result.get("pingMaxMs"), result.get("slowReplies"), result.get("slowMs"), result.get("causes"));
    }

    private static void say(String message) {
        System.out.println("[tails] " + message);
    }
}
