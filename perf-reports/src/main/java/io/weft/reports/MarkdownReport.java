package io.weft.reports;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** Builds REPORT.md: targets with pass/miss, one table per metric with ratios, plots, JMH, machine and settings. */
final class MarkdownReport {
    private static final List<String> MACHINE_KEYS =
        List.of("date", "cpuModel", "nproc", "kernel", "java", "iperf3", "commandLine");
    private static final String SPIN = "weft-spin";

    private MarkdownReport() {
    }

    /** A footprint result file as the report names it, what it holds and the targets judged on it. */
    record Footprint(String source, FootprintResults results, List<Target.Verdict> verdicts) {
    }

    /**
     * {@code sources}, {@code plots} and the footprint's source are named relative to the report's directory;
     * {@code footprint} may be null.
     */
    static String render(EndToEndResults e2e, Summary summary, List<JmhResult> jmh, List<Target.Verdict> verdicts,
                         List<Target.Verdict> authVerdicts, List<Target.Verdict> issue21Verdicts, List<Path> plots,
                         List<String> sources, Footprint footprint) {
        StringBuilder md = new StringBuilder();
        md.append("# weft performance report\n\n");
        md.append("Rendered by perf-reports from ").append(String.join(" and ", sources.stream()
            .map(s -> "`" + s + "`").toList())).append(" (`./weft bench`). End-to-end numbers are medians over ")
            .append(rounds(e2e.settings().getOrDefault("rounds", "?"))).append(" of one run, interleaved (")
            .append(e2e.settings().getOrDefault("order", "")).append("); ratios are ratios of those medians. ")
            .append("Two nodes in network namespaces joined by a veth underlay, one pod each, attached by the CNI ")
            .append("bridge plugin; traffic goes from the pod on node 1 to the pod on node 2. NAT rules: ")
            .append(e2e.settings().getOrDefault("natRules", "not recorded")).append(".\n\n");

        md.append("## Targets (issue 4)\n\n");
        appendVerdicts(md, verdicts);
        if (summary.variants().contains(Target.WEFT_AUTH) || summary.variants().contains(Target.WEFT_ENCRYPT)
            || summary.variants().contains(Target.WIREGUARD_GO)) {
            md.append("\n## Targets (issue 20, authentication)\n\n");
            appendVerdicts(md, authVerdicts);
            md.append("\nweft-etcd, weft-auth and weft-encrypt take their leases from etcd (the keys travel in them),")
                .append(" weft from a static file; weft-etcd adds ").append(e2e.settings().getOrDefault(
                    "etcdWeftdArgs", "?")).append(", weft-auth ").append(e2e.settings().getOrDefault(
                    "authWeftdArgs", "?")).append(", weft-encrypt ").append(e2e.settings().getOrDefault(
                    "encryptWeftdArgs", "?")).append(". The targets are judged against weft-etcd. wireguard-go is")
                .append(" Debian's userspace WireGuard (always encrypting), the issue's point of comparison.\n");
        }
        md.append("\n## Targets (issue 21, performance)\n\n");
        appendVerdicts(md, issue21Verdicts);
        md.append("\nJudged in each harness mode (this report's nat rules are named above).")
            .append(pingFloor(summary)).append(" Issue 21's other targets have tools of their own: whole-machine ")
            .append("CPU per GB in `perf-reports/cycle-budget.md`, ").append(footprint == null
                ? "CPU at low rates in `docs/idle-and-latency.md`, footprint and start in `docs/footprint.md`, "
                : "footprint, start and CPU at low rates below (written up in `docs/footprint.md` and "
                    + "`docs/idle-and-latency.md`), ").append("scale in `perf-reports/scale.md`.\n");
        if (!e2e.settings().getOrDefault("baselineWeftdArgs", "[]").replaceAll("[\\[\\]\\s]", "").isEmpty()) {
            md.append("\nweft-baseline runs weftd with ").append(e2e.settings().get("baselineWeftdArgs")).append(".\n");
        } else if (summary.variants().contains(Summary.BASELINE)) {
            md.append("\nweft-baseline ran weftd without extra flags (the flannel-style mode's flags do not exist ")
                .append("yet), so it is the same daemon as weft.\n");
        }
        if (summary.variants().contains(SPIN)) {
            md.append("\nweft-spin runs weftd with ").append(e2e.settings().getOrDefault("spinWeftdArgs", "?"))
                .append(": its lanes poll, yielding the core, instead of blocking, so no core halts between packets.")
                .append(" It shows what spending the cores buys in latency and what it costs in CPU time;")
                .append(" the targets are judged on weft.\n");
        }

        if (footprint != null) {
            appendFootprint(md, footprint);
        }

        md.append("\n## End to end\n\n");
        md.append("- CPU pinning: ").append(e2e.settings().getOrDefault("pinning", "not recorded")).append(".\n");
        md.append("- UDP packets sent is the offered load of one iperf3 client (`-b 0`, one datagram per system call):")
            .append(" where delivered is close to sent, that sender (sharing its CPU with the kernel's transmit")
            .append(" path) is the limit, not the dataplane.\n");
        md.append("- Dataplane CPU time is measured for weftd only; the kernel dataplanes (host-gw, vxlan) spend")
            .append(" theirs in softirq context, which has no process to account it to.\n\n");
        for (Path plot : plots) {
            md.append("![").append(plot.getFileName().toString().replace(".png", "")).append("](").append(plot)
                .append(")\n\n");
        }
        for (String metric : summary.metrics()) {
            appendMetric(md, summary, metric);
        }
        if (!e2e.errors().isEmpty()) {
            md.append("### Failed variant runs\n\n");
            e2e.errors().forEach(error -> md.append("- ").append(error.replace('\n', ' ')).append('\n'));
            md.append('\n');
        }

        if (!jmh.isEmpty()) {
            appendJmh(md, jmh);
        }

        md.append("## Machine and settings\n\n");
        for (String key : MACHINE_KEYS) {
            if (e2e.machine().containsKey(key)) {
                md.append("- ").append(key).append(": `").append(e2e.machine().get(key)).append("`\n");
            }
        }
        for (Map.Entry<String, String> setting : e2e.settings().entrySet()) {
            md.append("- ").append(setting.getKey()).append(": ").append(setting.getValue()).append('\n');
        }
        return md.toString();
    }

    /**
     * weft's ping p50 against VXLAN's p99: no p99 is below its own p50, so while the lanes' wake-up floor holds weft's
     * p50 where it is, the p99 ratio cannot be lower than this.
     */
    private static String pingFloor(Summary summary) {
        OptionalDouble p50 = summary.median(MetricInfo.PING_P50, Target.WEFT);
        OptionalDouble p99 = summary.median(MetricInfo.PING_P99, Summary.VXLAN);
        if (p50.isEmpty() || p99.isEmpty()) {
            return "";
        }
        double floor = p50.getAsDouble() / p99.getAsDouble();
        Target p99Target = Target.ISSUE_21.stream().filter(t -> t.metric().equals(MetricInfo.PING_P99)).findFirst()
            .orElseThrow();
        return " weft's ping p50, which the lanes' wake-up floor holds (`docs/idle-and-latency.md`), is "
            + Format.number(floor) + "x VXLAN's p99 in this run: weft's p99 cannot be below its own p50, so its p99"
            + " ratio cannot go below that while the floor stands" + (floor > p99Target.limit()
                ? ", which is above the target's " + Format.number(p99Target.limit()) + "x."
                : "; within the target's " + Format.number(p99Target.limit()) + "x, it leaves "
                    + Format.number((p99Target.limit() - floor) * p99.getAsDouble()) + " " + summary.unit(
                        MetricInfo.PING_P99) + " for weft's p99 above its own p50.");
    }

    private static void appendFootprint(StringBuilder md, Footprint footprint) {
        md.append("\n## Targets (issue 21, footprint and CPU at low rates)\n\n");
        md.append("From `").append(footprint.source()).append("` (`./weft bench --footprint`, weftd's options as ")
            .append("shipped, ").append(footprint.results().date().isEmpty() ? "date not recorded"
                : footprint.results().date()).append("): per round a fresh two-node cluster in etcd mode, one pod ")
            .append("per node, both weftds measured; node 1's weftd is restarted under its pod's ping for the ")
            .append("start. RSS in MB (10^6 bytes), as the issue states its targets.")
            .append(footprint.results().failedRounds() == 0 ? "" : " " + footprint.results().failedRounds()
                + " round(s) failed and are left out.").append("\n\n");
        appendVerdicts(md, footprint.verdicts());
        List<Double> relay = FootprintTargets.relayPercentForTheSamePackets(footprint.results());
        if (!relay.isEmpty()) {
            double least = relay.get(0);
            md.append("\nThe CPU target's reference, measured in the same run: the simplest relay that blocks (socat, ")
                .append("one wait, one receive and one send a datagram, on loopback) spends ")
                .append(Format.number(least)).append("-").append(Format.number(relay.get(relay.size() - 1)))
                .append(" % of a core on as many packets (about ")
                .append(Format.number(FootprintTargets.packetsPerSecondThroughEachWeftd(footprint.results())))
                .append(" a second through each weftd: the UDP datagrams and that phase's pings, both ways), ")
                .append(least > FootprintTargets.CPU_PERCENT_AT_LOW_RATE
                    ? "above the target: a reference for its floor on this machine, not a proof of it"
                    : "within the target").append(" (`docs/idle-and-latency.md`).\n");
        }
    }

    private static void appendVerdicts(StringBuilder md, List<Target.Verdict> verdicts) {
        md.append("| target | measured | result |\n| --- | --- | --- |\n");
        for (Target.Verdict verdict : verdicts) {
            md.append("| ").append(verdict.description()).append(" | ").append(verdict.measured())
                .append(" | ").append(status(verdict.status())).append(" |\n");
        }
    }

    private static void appendMetric(StringBuilder md, Summary summary, String metric) {
        MetricInfo info = MetricInfo.of(metric);
        String unit = summary.unit(metric);
        List<String> references = references(summary);
        md.append("### ").append(info.title()).append(": ").append(unit).append(", ")
            .append(info.higherIsBetter() ? "higher" : "lower").append(" is better\n\n");
        md.append("| variant | median | min - max | rounds |");
        references.forEach(reference -> md.append(" vs ").append(reference).append(" |"));
        md.append("\n| --- | ---: | ---: | ---: |").append(" ---: |".repeat(references.size())).append('\n');
        for (String variant : summary.variants(metric)) {
            Summary.Cell cell = summary.cell(metric, variant);
            md.append("| ").append(variant).append(" | ").append(Format.number(cell.median())).append(" | ")
                .append(Format.number(cell.min())).append(" - ").append(Format.number(cell.max())).append(" | ")
                .append(cell.rounds()).append(" |");
            references.forEach(reference -> md.append(' ').append(ratio(summary.ratio(metric, variant, reference)))
                .append(" |"));
            md.append('\n');
        }
        md.append('\n');
    }

    /**
     * The variants every row is compared with; weft-etcd (the authenticated variants' reference) and wireguard-go
     * only when they ran.
     */
    private static List<String> references(Summary summary) {
        List<String> references = new ArrayList<>(List.of(Summary.VXLAN, Summary.BASELINE, Target.WEFT));
        for (String optional : List.of(Target.WEFT_ETCD, Target.WIREGUARD_GO)) {
            if (summary.variants().contains(optional)) {
                references.add(optional);
            }
        }
        return references;
    }

    private static void appendJmh(StringBuilder md, List<JmhResult> jmh) {
        md.append("## Microbenchmarks (JMH, -prof gc)\n\n");
        md.append("| benchmark | params | score | error | unit | allocated B/op |\n");
        md.append("| --- | --- | ---: | ---: | --- | ---: |\n");
        for (JmhResult result : jmh) {
            md.append("| ").append(result.shortName()).append(" | ").append(result.paramsText()).append(" | ")
                .append(Format.number(result.score())).append(" | ").append(Format.number(result.scoreError()))
                .append(" | ").append(result.unit()).append(" | ").append(Format.number(result.allocatedBytesPerOp()))
                .append(" |\n");
        }
        md.append('\n');
    }

    private static String rounds(String count) {
        return "1".equals(count) ? "1 round" : count + " rounds";
    }

    private static String ratio(OptionalDouble ratio) {
        return ratio.isPresent() ? Format.number(ratio.getAsDouble()) + "x" : "n/a";
    }

    private static String status(Target.Status status) {
        return switch (status) {
            case PASS -> "**pass**";
            case MISS -> "**miss**";
            case NOT_MEASURED -> "not measured";
        };
    }
}
