package io.weft.bench;

import io.weft.testbed.ExecResult;
import io.weft.testbed.Hub;
import io.weft.testbed.OverlayCluster;
import io.weft.testbed.PingResult;
import io.weft.testbed.ProcessSample;
import io.weft.testbed.Testbed;
import io.weft.testbed.WeftdProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * weftd as the cluster grows ({@code ./weft bench --scale}, issue 21): for each lease count, a fresh two-node cluster
 * in etcd mode whose etcd also holds the leases of nodes that do not exist ({@link LeaseChurn}), up to that count in
 * all. It measures how long etcd takes to take them and node 2's running weftd to know them all after etcd answered
 * the last put (polling its {@code weft_leases_known} every 20 ms), start to forwarding of node 1's weftd
 * started again with them there (as {@link Footprint} measures it), both weftds' resident memory after that start,
 * then while the other nodes' leases change at a fixed rate: the weftds' CPU, their resident memory at most and
 * after, and route propagation (weftd's own {@code weft_route_propagation_seconds}: from the etcd event's arrival to
 * the new routes being live, over all events since its start, which for node 1 is the one list at start and the
 * churn). A pod-to-pod ping closes each count: forwarding still works.
 */
public final class Scale {
    private static final String USAGE = "usage: Scale [--leases 2,100,1000,5000] [--churns moves,joins] [--rounds N]"
        + " [--rate CHANGES_PER_S] [--churn-seconds S] [--out FILE]\n"
        + "defaults: --leases 2,100,1000,5000 --churns moves,joins --rounds 1 --rate 100 --churn-seconds 20"
        + " --out perf-reports/results/scale.json";
    /** A /29 per node: 8,190 subnets in the /16, room for 5,000 leases; a node's pod still gets an address. */
    static final int SUBNET_LENGTH = 29;
    static final String NETWORK_CONFIG = "{\"Network\":\"" + OverlayCluster.NETWORK + "\",\"SubnetLen\":"
        + SUBNET_LENGTH + ",\"Backend\":{\"Type\":\"udp\",\"Port\":" + OverlayCluster.BACKEND_PORT + "}}";
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Duration LEARN_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration SAMPLE_EVERY = Duration.ofMillis(250);
    private static final String PROPAGATION = "weft_route_propagation_seconds";
    /** {@link LeaseChurn}'s kinds, each measured on a cluster of its own: the propagation summary is since start. */
    static final List<String> CHURNS = List.of("moves", "joins");

    private Scale() {
    }

    public static void main(String[] args) {
        List<Integer> leaseCounts = List.of(2, 100, 1000, 5000);
        List<String> churns = CHURNS;
        int rounds = 1;
        int rate = 100;
        int churnSeconds = 20;
        Path out = Path.of("perf-reports", "results", "scale.json");
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                fail(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--leases" -> leaseCounts = Arrays.stream(value.split(",")).map(Integer::parseInt).toList();
                case "--churns" -> churns = List.of(value.split(","));
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--rate" -> rate = Integer.parseInt(value);
                case "--churn-seconds" -> churnSeconds = Integer.parseInt(value);
                case "--out" -> out = Path.of(value);
                default -> fail("unknown flag " + args[i]);
            }
        }
        if (leaseCounts.stream().anyMatch(count -> count < 2) || rate < 1 || churnSeconds < 1) {
            fail("every lease count is at least 2 (the two nodes'), the rate and churn seconds at least 1");
        }
        if (!CHURNS.containsAll(churns)) {
            fail("--churns takes " + String.join(",", CHURNS) + ", not " + churns);
        }
        Optional<String> cause = EndToEndBench.unavailabilityCause();
        if (cause.isPresent()) {
            fail("cannot run: " + cause.get());
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (int leases : leaseCounts) {
                for (String churn : leases > 2 ? churns : List.of("none")) {
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("leases", leases);
                    result.put("churn", churn);
                    result.put("round", round);
                    try {
                        measure(leases, rate, churnSeconds, churn, result);
                    } catch (RuntimeException e) {
                        result.put("error", String.valueOf(e.getMessage()));
                    }
                    say(leases + " leases, " + churn + ", round " + round + ": " + result);
                    results.add(result);
                    write(out, args, rate, churnSeconds, results);
                }
            }
        }
        System.out.println(table(results));
        say("results in " + out.toAbsolutePath());
        if (results.stream().anyMatch(result -> result.containsKey("error"))) {
            System.exit(1);
        }
    }

    /** Into {@code result} as the figures come, so that a failure keeps those measured before it. */
    static void measure(int leases, int rate, int churnSeconds, String churnKind, Map<String, Object> result) {
        try (Testbed testbed = Testbed.create()) {
            OverlayCluster cluster = OverlayCluster.start(testbed, 2, List.of(), (node, command) -> command, true,
                NETWORK_CONFIG);
            if (leases > cluster.size()) {
                // Watched while they are written, so that the tool's own exit is not counted.
                CompletableFuture<Long> learned = CompletableFuture.supplyAsync(() -> {
                    awaitLeasesKnown(cluster.weftd(2), leases);
                    return System.currentTimeMillis();
                });
                String[] loaded = churnTool(cluster, Duration.ofSeconds(120), "load",
                    Integer.toString(leases - cluster.size()), OverlayCluster.NETWORK,
                    Integer.toString(SUBNET_LENGTH)).get(0).split(" ");
                result.put("etcdLoadMs", Long.parseLong(loaded[2]));
                // From etcd's answer to the last put: what weftd adds to etcd's own time.
                result.put("runningWeftdLearnedMs", learned.join() - Long.parseLong(loaded[3]));
            }
            result.putAll(Footprint.startToForwarding(cluster));
            awaitLeasesKnown(cluster.weftd(1), leases);
            Footprint.sleep(SETTLE);
            result.put("afterStart", Footprint.samples(cluster));

            if (!"none".equals(churnKind)) {
                churn(cluster, rate, churnSeconds, churnKind, result);
            }
            List<Map<String, Double>> propagation = new ArrayList<>();
            List<Long> known = new ArrayList<>();
            for (int node = 1; node <= cluster.size(); node++) {
                Map<String, Number> metrics = cluster.weftd(node).metrics();
                propagation.add(propagationMs(metrics));
                known.add(metrics.getOrDefault("weft_leases_known", -1).longValue());
            }
            result.put("propagationMs", propagation);
            result.put("leasesKnownAfterChurn", known);
            PingResult ping = PingResult.parse(cluster.pod(1).exec(Duration.ofSeconds(20), List.of("ping", "-n",
                "-c", "5", "-i", "0.2", "-W", "1", cluster.pod(2).ip())).stdout());
            result.put("pingRepliesAfterChurn", ping.received());
            if (ping.received() == 0) {
                throw new IllegalStateException("no pod-to-pod ping got through after the churn");
            }
        }
    }

    /**
     * Changes the other nodes' leases at {@code rate} a second for {@code churnSeconds}: both weftds' CPU over the
     * second half (the first half is the JIT's: node 1 has just started, and the churn runs paths the start did
     * not), their resident memory at most during it and after it has settled.
     */
    private static void churn(OverlayCluster cluster, int rate, int churnSeconds, String kind,
        Map<String, Object> result) {
        result.put("routeUpdatesBeforeChurn", routeUpdates(cluster));
        CompletableFuture<List<String>> churn = CompletableFuture.supplyAsync(() -> churnTool(cluster,
            Duration.ofSeconds(churnSeconds + 60L), "churn", Integer.toString(rate), Integer.toString(churnSeconds),
            kind));
        long start = System.nanoTime();
        long half = start + Duration.ofSeconds(churnSeconds).toNanos() / 2;
        List<ProcessSample> most = Footprint.samples(cluster);
        List<ProcessSample> atHalf = null;
        long halfNanos = 0;
        // The last sample taken while the churn still ran: the CPU figure leaves out the idle time after it.
        List<ProcessSample> end = most;
        long endNanos = start;
        while (!churn.isDone()) {
            Footprint.sleep(SAMPLE_EVERY);
            List<ProcessSample> now = Footprint.samples(cluster);
            long nowNanos = System.nanoTime();
            if (churn.isDone()) {
                break;
            }
            end = now;
            endNanos = nowNanos;
            if (atHalf == null && nowNanos >= half) {
                atHalf = now;
                halfNanos = nowNanos;
            }
            for (int i = 0; i < most.size(); i++) {
                if (now.get(i).rssKb() > most.get(i).rssKb()) {
                    most.set(i, now.get(i));
                }
            }
        }
        String[] churned = churn.join().get(0).split(" ");
        result.put("changes", Integer.parseInt(churned[1]));
        result.put("churnSeconds", Double.parseDouble(churned[2]));
        result.put("latestChangeMs", Long.parseLong(churned[3]));
        if (atHalf != null && endNanos > halfNanos) {
            result.put("weftdPercentOfOneCore", percentOfOneCore(atHalf, end, (endNanos - halfNanos) / 1e9));
        }
        result.put("duringChurn", most);
        Footprint.sleep(SETTLE);
        result.put("afterChurn", Footprint.samples(cluster));
        result.put("routeUpdatesAfterChurn", routeUpdates(cluster));
    }

    /** How many lease sets each weftd has made live since it started: its propagation summary's count. */
    private static List<Long> routeUpdates(OverlayCluster cluster) {
        List<Long> counts = new ArrayList<>();
        for (int node = 1; node <= cluster.size(); node++) {
            counts.add(cluster.weftd(node).metrics().getOrDefault(PROPAGATION + "_count", -1).longValue());
        }
        return counts;
    }

    /** Runs {@link LeaseChurn} in the hub and returns the lines it printed; fails if it failed. */
    private static List<String> churnTool(OverlayCluster cluster, Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-Xmx128m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
            LeaseChurn.class.getName(), cluster.etcd().endpoint(), OverlayCluster.ETCD_PREFIX));
        command.addAll(List.of(args));
        Hub hub = cluster.testbed().hub();
        ExecResult result = hub.exec(timeout, command);
        if (result.exitCode() != 0 || result.stdout().isBlank()) {
            throw new IllegalStateException("LeaseChurn " + String.join(" ", args) + " failed (exit "
                + result.exitCode() + "): " + result.stdout() + result.stderr());
        }
        return result.stdout().lines().filter(line -> line.startsWith("LOADED") || line.startsWith("CHURNED"))
            .toList();
    }

    private static void awaitLeasesKnown(WeftdProcess weftd, int leases) {
        long deadline = System.nanoTime() + LEARN_TIMEOUT.toNanos();
        long known = -1;
        while (System.nanoTime() < deadline) {
            known = weftd.metrics().getOrDefault("weft_leases_known", -1).longValue();
            if (known >= leases) {
                return;
            }
            Footprint.sleep(Duration.ofMillis(20));
        }
        throw new IllegalStateException("weftd knows " + known + " leases, not " + leases + ", after "
            + LEARN_TIMEOUT.toSeconds() + " s");
    }

    static List<Double> percentOfOneCore(List<ProcessSample> before, List<ProcessSample> after, double seconds) {
        long ticksPerSecond = ProcCpu.clockTicksPerSecond();
        List<Double> percent = new ArrayList<>();
        for (int i = 0; i < after.size(); i++) {
            percent.add(100.0 * (after.get(i).cpuTicks() - before.get(i).cpuTicks()) / ticksPerSecond / seconds);
        }
        return percent;
    }

    /** p50, p99 and the largest of weftd's route propagation summary, in milliseconds, and its count. */
    static Map<String, Double> propagationMs(Map<String, Number> metrics) {
        Map<String, Double> figures = new LinkedHashMap<>();
        for (String[] quantile : new String[][] {{"p50", "0.5"}, {"p99", "0.99"}, {"max", "1.0"}}) {
            Number seconds = metrics.get(PROPAGATION + "{quantile=\"" + quantile[1] + "\"}");
            figures.put(quantile[0], seconds == null ? null : seconds.doubleValue() * 1000);
        }
        Number count = metrics.get(PROPAGATION + "_count");
        figures.put("count", count == null ? null : count.doubleValue());
        return figures;
    }

    /** A markdown table, a row per lease count and round: the figures of node 1, node 2's after a slash. */
    @SuppressWarnings("unchecked")
    static String table(List<Map<String, Object>> results) {
        StringBuilder table = new StringBuilder("| leases | churn | etcd's load / node 2 learns them after it"
            + " | start to forwarding | RSS after start | RSS at most / after churn | CPU, churn's 2nd half"
            + " | propagation p50 / p99 / max |\n"
            + "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Map<String, Object> result : results) {
            if (result.containsKey("error")) {
                table.append(String.format(Locale.ROOT, "| %s | %s | failed: %s | | | | | |%n",
                    result.get("leases"), result.get("churn"), result.get("error")));
                continue;
            }
            List<ProcessSample> start = (List<ProcessSample>) result.get("afterStart");
            if (!result.containsKey("duringChurn")) {
                table.append(String.format(Locale.ROOT, "| %,d | none | | %,d ms | %d / %d MiB | | | |%n",
                    result.get("leases"), result.get("startToForwardingMs"),
                    mib(start.get(0)), mib(start.get(1))));
                continue;
            }
            List<ProcessSample> most = (List<ProcessSample>) result.get("duringChurn");
            List<ProcessSample> after = (List<ProcessSample>) result.get("afterChurn");
            List<Double> cpu = (List<Double>) result.getOrDefault("weftdPercentOfOneCore",
                List.of(Double.NaN, Double.NaN));
            Map<String, Double> propagation = ((List<Map<String, Double>>) result.get("propagationMs")).get(0);
            table.append(String.format(Locale.ROOT,
                "| %,d | %s | %,d / %,d ms | %,d ms | %d / %d MiB | %d / %d, %d / %d MiB | %.1f / %.1f %% "
                    + "| %.1f / %.1f / %.1f ms |%n",
                result.get("leases"), result.get("churn"), result.get("etcdLoadMs"),
                result.get("runningWeftdLearnedMs"), result.get("startToForwardingMs"),
                mib(start.get(0)), mib(start.get(1)), mib(most.get(0)), mib(after.get(0)), mib(most.get(1)),
                mib(after.get(1)), cpu.get(0), cpu.get(1), propagation.get("p50"), propagation.get("p99"),
                propagation.get("max")));
        }
        return table.toString();
    }

    private static long mib(ProcessSample sample) {
        return Math.round(sample.rssKb() / 1024.0);
    }

    private static void write(Path out, String[] args, int rate, int churnSeconds,
        List<Map<String, Object>> results) {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("machine", MachineInfo.collect(MachineInfo.commandLine(Scale.class.getName(), args),
            ProcCpu.clockTicksPerSecond()));
        file.put("networkConfig", NETWORK_CONFIG);
        file.put("changesPerSecond", rate);
        file.put("churnSeconds", churnSeconds);
        file.put("results", results);
        ResultFile.write(out, file);
    }

    private static void fail(String message) {
        System.err.println("Scale: " + message + "\n" + USAGE);
        System.exit(2);
    }

    private static void say(String message) {
        System.out.println("[scale] " + message);
        System.out.flush();
    }
}
