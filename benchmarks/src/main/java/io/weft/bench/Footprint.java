package io.weft.bench;

import io.weft.testbed.Iperf3;
import io.weft.testbed.Iperf3Result;
import io.weft.testbed.ManagedProcess;
import io.weft.testbed.OverlayCluster;
import io.weft.testbed.PingResult;
import io.weft.testbed.ProcReader;
import io.weft.testbed.ProcessSample;
import io.weft.testbed.Testbed;
import io.weft.testbed.WeftdProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * weftd's footprint ({@code ./weft bench --footprint}): for each option set and round, a fresh two-node cluster in etcd
 * mode as shipped, authenticating (leases in an etcd in the hub, one pod per node) measures both weftds' resident
 * memory, heap in use and threads 10 s after start, at most while a pod-to-pod TCP stream runs, and 10 s after it;
 * their CPU and the reply times while a pod pings the other 100 and 1,000 times a second (with {@code --perf}, the
 * 1,000 a second once more under perf: what they spent split by whose work it is, {@link WeftdCpuSplit}, and once more
 * counting their lanes' system calls, {@link LaneSystemCalls}), and while 64-byte UDP streams go 1,000 packets a second
 * each way (senders that sleep, unlike a ping that fast), next to what the simplest blocking relay spends at that rate
 * ({@link BlockingRelayFloor}); then node 1's
 * weftd is stopped and started again ({@code --restarts} times), and start to forwarding is the time from that launch
 * to the first echo reply node 1's pod gets from node 2's, which it pings every 10 ms throughout, with the steps weftd
 * logged it took.
 * A set's JVM options come after weftd.jvm (the shipped options) and so override them; {@code weftd:FLAG} entries are
 * weftd flags, a {@code jar:PATH} entry runs another build's weftd.jar; the empty set is weftd as shipped.
 */
public final class Footprint {
    private static final String USAGE = "usage: Footprint [--rounds N] [--seconds S] [--restarts N] [--out FILE]"
        + " [--jvm 'NAME=OPTION OPTION...']... [--restart-jars NAME=JAR,NAME=JAR...] [--perf]\n  OPTION: a JVM option,"
        + " VARIABLE=VALUE for weftd's environment, weftd:FLAG for weftd, or jar:PATH for another build's weftd.jar"
        + " (a change's before and after, sets taking turns)\n  --restart-jars: the restarts take"
        + " these weftd.jars in turn (beside each its weftd.jvm and weftd.jsa), to compare builds' starts in one"
        + " cluster, then one more on the shipped jar\n  --perf: the 1,000 pings a second once more under perf record"
        + " -a -g, the weftds' CPU split by whose work it is (WeftdCpuSplit), and again under perf stat, the lanes'"
        + " system calls per packet (LaneSystemCalls)\n"
        + "defaults: --rounds 3 --seconds 10 --restarts 5 --out perf-reports/results/footprint.json --jvm shipped=";
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final int LOW_RATE_SECONDS = 10;
    private static final int UDP_EACH_WAY_PACKETS_PER_SECOND = 1_000;
    /** perf's sampling rate with --perf: low, as unwinding each sample's call chain costs the sampled thread. */
    private static final int PERF_HZ = 499;
    private static final String WEFTD_FLAG = "weftd:";
    private static final String JAR = "jar:";
    private static final Duration SAMPLE_EVERY = Duration.ofMillis(250);
    private static final Duration FORWARDING_TIMEOUT = Duration.ofSeconds(30);
    /** ping -D: "[1733444000.123456] 64 bytes from ...". */
    private static final Pattern REPLY = Pattern.compile("^\\[(\\d+)\\.(\\d{6})] \\d+ bytes from");

    /** weftd's log: "2026-12-06T19:47:14.577Z weftd INFO weftd 0.1.0 starting". */
    private static final Pattern STARTING = Pattern.compile("(?m)^(\\S+) weftd INFO weftd \\S+ starting$");
    /** weftd's log: "<instant> weftd INFO forwarding ...; set up in 310 ms (registry 35, lease 12)". */
    private static final Pattern SET_UP = Pattern.compile("(?m)^(\\S+) weftd INFO forwarding .*; set up in \\d+ ms"
        + " \\(([^)]*)\\)$");
    /** "-   Java Heap (reserved=262144KB, committed=16384KB)", and "Total: reserved=...KB, committed=...KB". */
    private static final Pattern NMT_LINE = Pattern.compile(
        "(?m)^[-\\s]*([A-Za-z][A-Za-z ]*?)(?: \\(|: )reserved=\\d+KB, committed=(\\d+)KB");

    private Footprint() {
    }

    public static void main(String[] args) throws IOException {
        int rounds = 3;
        int seconds = 10;
        int restarts = 5;
        Map<String, String> restartJars = new LinkedHashMap<>();
        Path out = Path.of("perf-reports", "results", "footprint.json");
        Map<String, List<String>> sets = new LinkedHashMap<>();
        boolean perf = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--perf")) {
                perf = true;
                continue;
            }
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(require(args[i], value));
                case "--seconds" -> seconds = Integer.parseInt(require(args[i], value));
                case "--restarts" -> restarts = Integer.parseInt(require(args[i], value));
                case "--restart-jars" -> {
                    for (String jar : require(args[i], value).split(",")) {
                        int equals = jar.indexOf('=');
                        if (equals <= 0) {
                            fail("--restart-jars takes NAME=JAR,...: " + jar);
                        }
                        if (!Files.isRegularFile(Path.of(jar.substring(equals + 1)))) {
                            fail("--restart-jars: no file " + jar.substring(equals + 1));
                        }
                        restartJars.put(jar.substring(0, equals), jar.substring(equals + 1));
                    }
                }
                case "--out" -> out = Path.of(require(args[i], value));
                case "--jvm" -> {
                    try {
                        Map.Entry<String, List<String>> set = optionSet(require(args[i], value));
                        sets.put(set.getKey(), set.getValue());
                        jarOf(set.getValue()).filter(jar -> !Files.isRegularFile(Path.of(jar)))
                            .ifPresent(jar -> fail("--jvm " + set.getKey() + ": no file " + jar));
                    } catch (IllegalArgumentException e) {
                        fail(e.getMessage());
                    }
                }
                default -> fail("unknown flag " + args[i]);
            }
            i++;
        }
        if (restarts < 1) {
            fail("--restarts needs at least 1");
        }
        if (!restartJars.isEmpty() && sets.values().stream().anyMatch(set -> jarOf(set).isPresent())) {
            fail("--restart-jars and a --jvm set's jar: do not mix (the last restart would not be the shipped jar)");
        }
        if (sets.isEmpty()) {
            sets.put("shipped", List.of());
        }
        Optional<String> cause = perf ? PerfRecording.unavailabilityCause() : EndToEndBench.unavailabilityCause();
        if (cause.isPresent()) {
            fail("cannot run: " + cause.get());
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (Map.Entry<String, List<String>> set : sets.entrySet()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("set", set.getKey());
                result.put("jvmOptions", set.getValue().stream().filter(option -> !option.startsWith(WEFTD_FLAG)
                    && !option.startsWith(JAR)).toList());
                jarOf(set.getValue()).ifPresent(jar -> result.put("jar", jar));
                result.put("weftdArgs", weftdArgs(set.getValue()));
                result.put("round", round);
                try {
                    measure(set.getValue(), seconds, restarts, restartJars, perf, result);
                } catch (RuntimeException e) {
                    result.put("error", String.valueOf(e.getMessage()));
                }
                say(set.getKey() + " round " + round + ": " + result);
                results.add(result);
                write(out, args, results);
            }
        }
        say("results in " + out.toAbsolutePath());
    }

    /** Into {@code result} as the figures come, so that a failure keeps those measured before it. */
    private static void measure(List<String> jvmOptions, int seconds, int restarts, Map<String, String> restartJars,
        boolean perf, Map<String, Object> result) {
        WeftdProcess.fromJar(jarOf(jvmOptions).orElse(null), () -> {
            measureWithJar(jvmOptions, seconds, restarts, restartJars, perf, result);
            return result;
        });
    }

    /** The set's {@code jar:PATH} entry's path, if it has one. */
    private static Optional<String> jarOf(List<String> options) {
        return options.stream().filter(option -> option.startsWith(JAR)).map(option -> option.substring(JAR.length()))
            .findFirst();
    }

    private static void measureWithJar(List<String> jvmOptions, int seconds, int restarts,
        Map<String, String> restartJars, boolean perf, Map<String, Object> result) {
        try (Testbed testbed = Testbed.create()) {
            OverlayCluster cluster = OverlayCluster.start(testbed, 2, weftdArgs(jvmOptions),
                (node, command) -> withJvmOptions(command, jvmOptions));
            boolean tracked = jvmOptions.stream().anyMatch(option -> option.startsWith("-XX:NativeMemoryTracking="));
            sleep(SETTLE);
            result.put("idle", samples(cluster));
            if (tracked) {
                result.put("idleNativeMemory", nativeMemory(cluster));
            }
            CompletableFuture<Double> stream = CompletableFuture.supplyAsync(() ->
                Iperf3.tcp(cluster.pod(2), cluster.pod(1), seconds, 1).receivedBitsPerSecond());
            List<ProcessSample> most = samples(cluster);
            while (!stream.isDone()) {
                sleep(SAMPLE_EVERY);
                List<ProcessSample> now = samples(cluster);
                for (int i = 0; i < most.size(); i++) {
                    if (now.get(i).rssKb() > most.get(i).rssKb()) {
                        most.set(i, now.get(i));
                    }
                }
            }
            result.put("tcpGbitPerSecond", stream.join() / 1e9);
            result.put("underLoad", most);
            sleep(SETTLE);
            result.put("afterLoad", samples(cluster));
            if (tracked) {
                result.put("afterLoadNativeMemory", nativeMemory(cluster));
            }
            result.put("lowRate", lowRates(cluster, perf));
            List<Map<String, Object>> starts = new ArrayList<>();
            result.put("starts", starts); // filled as they come, so that a failed restart keeps those before it
            List<Map.Entry<String, String>> jars = List.copyOf(restartJars.entrySet());
            for (int i = 0; i < restarts; i++) {
                Map<String, Object> start = new LinkedHashMap<>();
                String jar = null;
                if (!jars.isEmpty()) {
                    start.put("jar", jars.get(i % jars.size()).getKey());
                    jar = jars.get(i % jars.size()).getValue();
                }
                start.putAll(WeftdProcess.fromJar(jar, () -> startToForwarding(cluster)));
                starts.add(start);
            }
            if (!jars.isEmpty()) {
                // One more on the shipped jar, so that afterRestart measures it.
                Map<String, Object> start = new LinkedHashMap<>(Map.of("jar", "shipped"));
                start.putAll(startToForwarding(cluster));
                starts.add(start);
            }
            if (jars.isEmpty()) {
                result.put("startToForwardingMs", medianStartMs(starts));
            } else {
                Map<String, Long> medians = new LinkedHashMap<>();
                for (Map.Entry<String, String> jar : jars) {
                    medians.put(jar.getKey(), medianStartMs(starts.stream()
                        .filter(start -> jar.getKey().equals(start.get("jar"))).toList()));
                }
                result.put("startToForwardingMsByJar", medians);
            }
            sleep(SETTLE);
            result.put("afterRestart", samples(cluster));
        }
    }

    /**
     * Pings from node 1's pod to node 2's at 100 and 1,000 a second for {@value #LOW_RATE_SECONDS} s each: the reply
     * times' p50 and p99 and what each weftd spent meanwhile, in percent of one core; with {@code perf}, 1,000 a
     * second once more under perf, for the share of each kind of work in what they spent ({@link WeftdCpuSplit}).
     */
    private static List<Map<String, Object>> lowRates(OverlayCluster cluster, boolean perf) {
        List<Map<String, Object>> rates = new ArrayList<>();
        for (int intervalMs : new int[] {10, 1}) {
            CpuMark mark = CpuMark.take(pids(cluster));
            PingResult ping = pingAtInterval(cluster, intervalMs);
            Map<String, Object> rate = new LinkedHashMap<>();
            rate.put("pingsPerSecond", 1000 / intervalMs);
            rate.put("replies", ping.received());
            rate.put("pingP50Ms", ping.received() == 0 ? null : ping.percentileMs(50));
            rate.put("pingP99Ms", ping.received() == 0 ? null : ping.percentileMs(99));
            rate.putAll(mark.spentSince());
            if (perf && intervalMs == 1) {
                rate.putAll(splitUnderPerf(cluster, intervalMs));
                rate.putAll(laneSystemCallsPerPacket(cluster, intervalMs));
            }
            rates.add(rate);
        }
        rates.add(udpEachWay(cluster));
        Optional<String> noRelay = BlockingRelayFloor.unavailabilityCause();
        rates.add(noRelay.isPresent() ? Map.of("relayFloorSkipped", noRelay.get())
            : BlockingRelayFloor.measure(UDP_EACH_WAY_PACKETS_PER_SECOND, LOW_RATE_SECONDS));
        return rates;
    }

    /**
     * 1,000 packets a second each way from senders that sleep between packets: two 64-byte UDP iperf3 streams, pod 1
     * to pod 2 and back, and pings 10 ms apart for the replies' times. ping below a 10 ms interval does not sleep
     * but spins a core on {@code sched_yield}, which keeps that vCPU from halting and, likely, spares the lanes'
     * wake-ups the halted vCPU's cost (docs/idle-and-latency.md); this phase measures what a node of sleeping pods
     * pays.
     */
    private static Map<String, Object> udpEachWay(OverlayCluster cluster) {
        List<String> stream = List.of("-t", Integer.toString(LOW_RATE_SECONDS), "-u", "-b",
            Integer.toString(UDP_EACH_WAY_PACKETS_PER_SECOND * 64 * 8), "-l", "64");
        CpuMark mark = CpuMark.take(pids(cluster));
        CompletableFuture<Iperf3Result> there = CompletableFuture.supplyAsync(() ->
            Iperf3.run(cluster.pod(2), cluster.pod(2).ip(), cluster.pod(1), Iperf3.DEFAULT_PORT, stream));
        CompletableFuture<Iperf3Result> back = CompletableFuture.supplyAsync(() ->
            Iperf3.run(cluster.pod(1), cluster.pod(1).ip(), cluster.pod(2), Iperf3.DEFAULT_PORT + 1, stream));
        PingResult ping = PingResult.parse(cluster.pod(1).exec(Duration.ofSeconds(LOW_RATE_SECONDS + 30L),
            List.of("ping", "-n", "-i", "0.01", "-w", Integer.toString(LOW_RATE_SECONDS), "-W", "1",
                cluster.pod(2).ip())).stdout());
        Iperf3Result outward = there.join();
        Iperf3Result inward = back.join();
        Map<String, Object> rate = new LinkedHashMap<>();
        rate.put("udpPacketsPerSecondEachWay", UDP_EACH_WAY_PACKETS_PER_SECOND);
        rate.put("udpReceived", List.of(outward.receivedPackets(), inward.receivedPackets()));
        // ping at 10 ms intervals sends fewer than 100 a second (its interval runs from a reply's handling).
        rate.put("pingsPerSecond", (double)ping.received() / LOW_RATE_SECONDS);
        rate.put("replies", ping.received());
        rate.put("pingP50Ms", ping.received() == 0 ? null : ping.percentileMs(50));
        rate.put("pingP99Ms", ping.received() == 0 ? null : ping.percentileMs(99));
        rate.putAll(mark.spentSince());
        return rate;
    }

    private static PingResult pingAtInterval(OverlayCluster cluster, int intervalMs) {
        String count = Integer.toString(LOW_RATE_SECONDS * 1000 / intervalMs);
        String interval = String.format(Locale.ROOT, "%.3f", intervalMs / 1000.0);
        return PingResult.parse(cluster.pod(1).exec(Duration.ofSeconds(LOW_RATE_SECONDS + 30L),
            List.of("ping", "-n", "-c", count, "-i", interval, "-W", "1", cluster.pod(2).ip())).stdout());
    }

    /**
     * The pings once more, the lanes' system calls counted meanwhile ({@link LaneSystemCalls}) in the middle of them,
     * per packet through a weftd: each ping is four, two through each. The calls are a rate over perf's window, the
     * packets one over the whole ping run that holds it (a steady rate: the run's start-up makes it a little low).
     */
    private static Map<String, Object> laneSystemCallsPerPacket(OverlayCluster cluster, int intervalMs) {
        List<Long> pids = pids(cluster);
        long start = System.nanoTime();
        CompletableFuture<PingResult> pings = CompletableFuture.supplyAsync(() -> pingAtInterval(cluster, intervalMs));
        sleep(Duration.ofSeconds(1));
        Duration counted = Duration.ofSeconds(LOW_RATE_SECONDS - 3);
        Map<String, Long> calls = LaneSystemCalls.count(pids, counted);
        PingResult ping = pings.join();
        double packetsPerSecond = 4.0 * ping.received() / ((System.nanoTime() - start) / 1e9);
        Map<String, Double> perPacket = new LinkedHashMap<>();
        calls.forEach((call, count) -> perPacket.put(call, packetsPerSecond == 0 ? 0
            : count / (double)counted.toSeconds() / packetsPerSecond));
        return Map.of("laneSystemCallsPerPacket", perPacket);
    }

    /**
     * The same pings again under {@code perf record -a -g -e cpu-clock}, and the weftds' samples split by whose work
     * they are: shares only, as perf's unwinding of each sample's stack adds to what the sampled thread spends. Every
     * CPU rather than the weftds alone (-p): per-process events cost a blocking weftd a switch of perf's events at
     * each of its wake-ups, so they would measure mostly perf.
     */
    private static Map<String, Object> splitUnderPerf(OverlayCluster cluster, int intervalMs) {
        try (PerfRecording recording = PerfRecording.start("footprint", List.of("-a", "-g", "-F",
            Integer.toString(PERF_HZ), "-e", "cpu-clock"))) {
            sleep(Duration.ofSeconds(1)); // perf samples once it has opened its events on every CPU
            pingAtInterval(cluster, intervalMs);
            recording.stop();
            List<Long> pids = pids(cluster);
            WeftdCpuSplit split = new WeftdCpuSplit(Set.copyOf(pids)).add(recording.script("comm,pid,tid,ip,sym,dso",
                false));
            long total = split.samples().values().stream().mapToLong(Long::longValue).sum();
            Map<String, Double> shares = new LinkedHashMap<>();
            split.samples().forEach((kind, count) -> shares.put(kind, total == 0 ? 0 : (double)count / total));
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("perfSamples", split.samples());
            figures.put("perfUnparsedLines", split.unparsed());
            figures.put("weftdCpuShareByKind", shares);
            return figures;
        } catch (IOException e) {
            throw new UncheckedIOException("perf record failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Restarts node 1's weftd under a 10 ms ping from its pod to node 2's: {@code startToForwardingMs} from launch to
     * the first reply, and {@code startSteps} where that time went (see {@link #startSteps}).
     */
    static Map<String, Object> startToForwarding(OverlayCluster cluster) {
        cluster.weftd(1).stop();
        ManagedProcess ping = cluster.pod(1).start("ping", List.of("ping", "-D", "-n", "-i", "0.01",
            cluster.pod(2).ip()));
        try {
            long launched = epochMicros(Instant.now());
            cluster.startAnotherWeftd(1);
            WeftdProcess weftd = cluster.weftd(1);
            long deadline = System.nanoTime() + FORWARDING_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                Optional<Long> reply = firstReplyAfter(ping.logText(), launched);
                if (reply.isPresent()) {
                    Map<String, Object> start = new LinkedHashMap<>();
                    start.put("startToForwardingMs", (reply.get() - launched) / 1000);
                    start.put("startSteps", startSteps(forwardingLog(weftd), launched, reply.get()));
                    return start;
                }
                if (!weftd.process().isAlive()) {
                    throw new IllegalStateException("weftd exited after its restart: " + weftd.process().logText());
                }
                sleep(Duration.ofMillis(50));
            }
            throw new IllegalStateException("no echo reply within " + FORWARDING_TIMEOUT.toSeconds()
                + " s of weftd's restart");
        } finally {
            ping.stop();
        }
    }

    /** The median of the starts' {@code startToForwardingMs} (the upper of the middle two for an even count). */
    static long medianStartMs(List<Map<String, Object>> starts) {
        long[] sorted = starts.stream().mapToLong(start -> (Long) start.get("startToForwardingMs")).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    /** weftd's log once it has the line saying it forwards, which it may write after the first reply went through. */
    private static String forwardingLog(WeftdProcess weftd) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String log = weftd.process().logText();
        while (!SET_UP.matcher(log).find() && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(20));
            log = weftd.process().logText();
        }
        return log;
    }

    /**
     * From weftd's log: {@code jvmAndFlags} from launch to its "starting" line (the JVM's start, the flags parsed),
     * the steps its "forwarding" line says its setup took, and {@code firstReply} from that line to the first reply (a
     * ping every 10 ms; negative when the lanes forwarded it before the line was written); in ms. Empty where a line
     * is missing.
     */
    static Map<String, Long> startSteps(String weftdLog, long launchedMicros, long replyMicros) {
        Map<String, Long> steps = new LinkedHashMap<>();
        Matcher starting = STARTING.matcher(weftdLog);
        Matcher forwarding = SET_UP.matcher(weftdLog);
        if (!starting.find() || !forwarding.find()) {
            return steps;
        }
        steps.put("jvmAndFlags", (epochMicros(Instant.parse(starting.group(1))) - launchedMicros) / 1000);
        for (String step : forwarding.group(2).split(", ")) {
            int space = step.lastIndexOf(' ');
            steps.merge(step.substring(0, space), Long.parseLong(step.substring(space + 1)), Long::sum);
        }
        steps.put("firstReply", (replyMicros - epochMicros(Instant.parse(forwarding.group(1)))) / 1000);
        return steps;
    }

    static Optional<Long> firstReplyAfter(String pingOutput, long afterEpochMicros) {
        for (String line : pingOutput.split("\n")) {
            Matcher reply = REPLY.matcher(line);
            if (reply.find()) {
                long micros = Long.parseLong(reply.group(1)) * 1_000_000 + Long.parseLong(reply.group(2));
                if (micros > afterEpochMicros) {
                    return Optional.of(micros);
                }
            }
        }
        return Optional.empty();
    }

    private static List<Long> pids(OverlayCluster cluster) {
        return samples(cluster).stream().map(ProcessSample::pid).toList();
    }

    static List<ProcessSample> samples(OverlayCluster cluster) {
        List<ProcessSample> samples = new ArrayList<>();
        for (int i = 1; i <= cluster.size(); i++) {
            long pid = cluster.weftd(i).process().pid();
            samples.add(ProcReader.sample(pid).orElseThrow(() ->
                new IllegalStateException("weftd pid " + pid + " is gone")));
        }
        return samples;
    }

    /** Committed KB by category, per weftd, from {@code jcmd PID VM.native_memory summary} (an NMT option set). */
    private static List<Map<String, Long>> nativeMemory(OverlayCluster cluster) {
        List<Map<String, Long>> perWeftd = new ArrayList<>();
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        for (int i = 1; i <= cluster.size(); i++) {
            String pid = Long.toString(cluster.weftd(i).process().pid());
            try {
                Process process = new ProcessBuilder(jcmd.toString(), pid, "VM.native_memory", "summary")
                    .redirectErrorStream(true).start();
                perWeftd.add(nativeMemory(new String(process.getInputStream().readAllBytes())));
                process.waitFor();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run jcmd", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return perWeftd;
    }

    static Map<String, Long> nativeMemory(String summary) {
        Map<String, Long> committed = new LinkedHashMap<>();
        Matcher line = NMT_LINE.matcher(summary);
        while (line.find()) {
            committed.put(line.group(1).strip(), Long.parseLong(line.group(2)));
        }
        return committed;
    }

    /** A {@code --jvm} set, 'NAME=OPTION OPTION...': its name and options (none for 'NAME='). */
    static Map.Entry<String, List<String>> optionSet(String set) {
        int equals = set.indexOf('=');
        if (equals < 1) {
            throw new IllegalArgumentException("--jvm takes 'NAME=OPTION OPTION...', not '" + set + "'");
        }
        String options = set.substring(equals + 1).strip();
        return Map.entry(set.substring(0, equals), options.isEmpty() ? List.of()
            : Arrays.asList(options.split("\\s+")));
    }

    /** The set's {@code weftd:FLAG} entries: weftd's own flags. */
    static List<String> weftdArgs(List<String> options) {
        return options.stream().filter(option -> option.startsWith(WEFTD_FLAG))
            .map(option -> option.substring(WEFTD_FLAG.length())).toList();
    }

    /**
     * The command with the JVM options of {@code options} just before {@code -jar} (after weftd.jvm, so they override
     * it), and its {@code NAME=VALUE} entries as environment variables through {@code env}.
     */
    static List<String> withJvmOptions(List<String> command, List<String> options) {
        List<String> launched = WeftdProcess.withJvmOptions(command,
            options.stream().filter(option -> option.startsWith("-")).toList());
        List<String> environment = options.stream().filter(option -> !option.startsWith("-")
            && !option.startsWith(WEFTD_FLAG) && !option.startsWith(JAR)).toList();
        if (!environment.isEmpty()) {
            launched.add(0, "env");
            launched.addAll(1, environment);
        }
        return launched;
    }

    private static long epochMicros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1000;
    }

    private static void write(Path out, String[] args, List<Map<String, Object>> results) {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("machine", MachineInfo.collect(MachineInfo.commandLine(Footprint.class.getName(), args),
            ProcCpu.clockTicksPerSecond()));
        file.put("shippedJvmOptions", readShippedOptions());
        file.put("results", results);
        ResultFile.write(out, file);
    }

    static List<String> readShippedOptions() {
        Path options = WeftdProcess.locateJar().resolveSibling(WeftdProcess.JVM_OPTIONS_FILE);
        try {
            return Files.readAllLines(options).stream().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + options, e);
        }
    }

    private static String require(String flag, String value) {
        if (value == null) {
            fail(flag + " needs a value");
        }
        return value;
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void fail(String message) {
        System.err.println("Footprint: " + message + "\n" + USAGE);
        System.exit(2);
    }

    private static void say(String message) {
        System.out.println("[footprint] " + message);
        System.out.flush();
    }
}
