package io.weft.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where one TCP stream's CPU time goes, per GB moved ({@code ./weft bench --cycles}; {@code --streams 4} for four in
 * parallel, as the end-to-end bench's second TCP test): for each variant and round, a
 * fresh two-node topology as the end-to-end bench builds it (pinned as it: node 1's processes on the first CPU, node
 * 2's on the second), one iperf3 TCP stream while {@code perf} samples every task on every CPU ({@code cpu-clock}:
 * this machine's VMs have no cycle counter). Each sample is put down to a component by the function it fell in
 * ({@link BudgetComponents}); the budget is busy core-seconds per GB the receiver got, by component, and its ratio to
 * the first variant's (kernel VXLAN by default) in the same run.
 */
public final class CycleBudget {
    private static final String USAGE = "usage: CycleBudget [--rounds N] [--seconds S] [--streams N] [--variants A,B]"
        + " [--nat-rules on|off] [--frequency HZ] [--out FILE] [--markdown FILE]\n"
        + "defaults: --rounds 2 --seconds 10 --streams 1 --variants vxlan,weft --nat-rules on --frequency 999"
        + " --out perf-reports/results/cycle-budget.json --markdown perf-reports/results/cycle-budget.md";
    private static final double BYTES_PER_GB = 1e9;
    /** Below this in the first variant a component's ratio says nothing but noise (a few samples of it). */
    private static final double SMALLEST_BASE = 0.005;
    /** The end-to-end bench's default, so that the two measure the same stream. */
    private static final String TCP_CONGESTION = BenchOptions.DEFAULT_TCP_CONGESTION;

    private CycleBudget() {
    }

    public static void main(String[] args) throws IOException {
        int rounds = 2;
        int seconds = 10;
        int streams = 1;
        int frequency = 999;
        boolean natRules = true;
        List<Variant> variants = List.of(Variant.VXLAN, Variant.WEFT);
        Path out = Path.of("perf-reports", "results", "cycle-budget.json");
        Path markdown = Path.of("perf-reports", "results", "cycle-budget.md");
        try {
            for (int i = 0; i < args.length; i += 2) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (value == null) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i]) {
                    case "--rounds" -> rounds = Integer.parseInt(value);
                    case "--seconds" -> seconds = Integer.parseInt(value);
                    case "--streams" -> streams = Integer.parseInt(value);
                    case "--frequency" -> frequency = Integer.parseInt(value);
                    case "--variants" -> variants = BenchOptions.parseVariants(value);
                    case "--nat-rules" -> natRules = BenchOptions.onOrOff("--nat-rules", value);
                    case "--out" -> out = Path.of(value);
                    case "--markdown" -> markdown = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown flag " + args[i]);
                }
            }
            if (rounds < 1 || seconds < 1 || streams < 1 || frequency < 1 || variants.isEmpty()) {
                throw new IllegalArgumentException("--rounds, --seconds, --streams and --frequency must be positive");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("CycleBudget: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
        }
        Optional<String> cause = PerfRecording.unavailabilityCause();
        if (cause.isPresent()) {
            System.err.println("CycleBudget: cannot run: " + cause.get());
            System.exit(2);
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            // Rotated each round as the end-to-end bench does, so that no variant always runs first.
            List<Variant> order = new ArrayList<>(variants);
            Collections.rotate(order, -(round - 1));
            for (Variant variant : order) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("variant", variant.label());
                result.put("round", round);
                try {
                    measure(variant, natRules, seconds, streams, frequency, result);
                } catch (RuntimeException e) {
                    result.put("error", String.valueOf(e.getMessage()));
                }
                say(variant.label() + " round " + round + ": " + result);
                results.add(result);
                Map<String, Object> file = new LinkedHashMap<>();
                file.put("machine", MachineInfo.collect(MachineInfo.commandLine(CycleBudget.class.getName(), args),
                    ProcCpu.clockTicksPerSecond()));
                file.put("natRules", natRules);
                file.put("tcpStreams", streams);
                file.put("samplesPerSecond", frequency);
                file.put("results", results);
                ResultFile.write(out, file);
            }
        }
        Files.createDirectories(markdown.toAbsolutePath().getParent());
        Files.writeString(markdown, table(results, variants));
        say("results in " + out.toAbsolutePath() + ", table in " + markdown.toAbsolutePath());
    }

    /**
     * Core-seconds per GB by component, the median of each variant's rounds, and each variant's ratio to the first
     * variant's: a component the first hardly has (below {@value #SMALLEST_BASE}) shows no ratio.
     */
    static String table(List<Map<String, Object>> results, List<Variant> variants) {
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        Map<String, Double> totals = new LinkedHashMap<>();
        for (Variant variant : variants) {
            List<Map<String, Object>> rounds = results.stream()
                .filter(r -> variant.label().equals(r.get("variant")) && !r.containsKey("error")).toList();
            if (rounds.isEmpty()) {
                continue;
            }
            Map<String, Double> byComponent = new LinkedHashMap<>();
            for (String component : BudgetComponents.names()) {
                if (!BudgetComponents.IDLE.equals(component)) {
                    byComponent.put(component, median(rounds.stream().map(r -> ((Map<?, ?>)r.get("coreSecondsPerGB"))
                        .get(component)).map(v -> v == null ? 0.0 : ((Number)v).doubleValue()).toList()));
                }
            }
            medians.put(variant.label(), byComponent);
            totals.put(variant.label(), median(rounds.stream()
                .map(r -> ((Number)r.get("busyCoreSecondsPerGB")).doubleValue()).toList()));
        }
        StringBuilder table = new StringBuilder("| core-seconds per GB (median of rounds) |");
        List<String> labels = new ArrayList<>(medians.keySet());
        for (String label : labels) {
            table.append(' ').append(label).append(" |");
        }
        for (String label : labels.subList(Math.min(1, labels.size()), labels.size())) {
            table.append(' ').append(label).append(" / ").append(labels.get(0)).append(" |");
        }
        table.append("\n|").append(" --- |".repeat(2 * labels.size())).append('\n');
        for (String component : BudgetComponents.names()) {
            if (BudgetComponents.IDLE.equals(component)) {
                continue;
            }
            row(table, component, labels.stream().map(l -> medians.get(l).get(component)).toList());
        }
        row(table, "**all busy time**", labels.stream().map(totals::get).toList());
        return table.toString();
    }

    private static void row(StringBuilder table, String name, List<Double> values) {
        table.append("| ").append(name).append(" |");
        for (double value : values) {
            table.append(String.format(Locale.ROOT, " %.3f |", value));
        }
        for (double value : values.subList(Math.min(1, values.size()), values.size())) {
            table.append(values.get(0) >= SMALLEST_BASE ? String.format(Locale.ROOT, " %.1fx |", value / values.get(0))
                : " - |");
        }
        table.append('\n');
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Into {@code result}: the stream's bytes, and core-seconds per GB by component and by thread. */
    private static void measure(Variant variant, boolean natRules, int seconds, int streams, int frequency,
        Map<String, Object> result) {
        try (Topology topology = variant.build(Pinning.of(0, 1), natRules)) {
            topology.useTcpCongestionControl(TCP_CONGESTION);
            // A short stream first, so that what is measured is not a JIT's warm-up.
            PinnedIperf3.tcp(topology.pod2(), topology.pod1(), 2, 1, Pinning.of(0, 1));
            PinnedIperf3.Outcome stream;
            long sampledNs;
            String samples;
            try (PerfRecording perf = PerfRecording.start("weft-cycles", List.of("-a", "-F",
                Integer.toString(frequency), "-e", "cpu-clock"))) {
                // perf samples from when it has opened its events on every CPU: a second is ample for that, and
                // costs the budget only what the idle pods and the harness do in it.
                Footprint.sleep(Duration.ofSeconds(1));
                long startedNs = System.nanoTime();
                stream = PinnedIperf3.tcp(topology.pod2(), topology.pod1(), seconds, streams, Pinning.of(0, 1))
                    .requireCongestionControl(TCP_CONGESTION);
                sampledNs = System.nanoTime() - startedNs;
                perf.stop();
                samples = perf.script("comm,tid,ip,sym,dso", false);
            }
            BudgetComponents budget = new BudgetComponents().add(samples);
            double gigabytes = stream.receivedBytes() / BYTES_PER_GB;
            result.put("gbitPerSecond", round(stream.result().receivedGbitsPerSecond()));
            result.put("receivedGB", round(gigabytes));
            result.put("sampledSeconds", round(sampledNs / 1e9));
            result.put("busyCores", round(budget.busy() / (double)frequency / (sampledNs / 1e9)));
            result.put("busyCoreSecondsPerGB", round(budget.busy() / (double)frequency / gigabytes));
            result.put("coreSecondsPerGB", perGigabyte(budget.samples(), frequency, gigabytes));
            result.put("threadCoreSecondsPerGB", perGigabyte(budget.byThread(), frequency, gigabytes));
            result.put("unparsedLines", budget.unparsed());
            result.put("samples", budget.samples());
            result.put("topSymbols", budget.topSymbols());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Samples as core-seconds per GB, largest first, {@link BudgetComponents#IDLE} left out. */
    static Map<String, Double> perGigabyte(Map<String, Long> samples, int frequency, double gigabytes) {
        Map<String, Double> perGb = new LinkedHashMap<>();
        samples.entrySet().stream().filter(e -> !BudgetComponents.IDLE.equals(e.getKey()))
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .forEach(e -> perGb.put(e.getKey(), round(e.getValue() / (double)frequency / gigabytes)));
        return perGb;
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }

    private static void say(String message) {
        System.out.println("[cycles] " + message);
    }
}
