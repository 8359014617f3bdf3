package io.weft.soak.report;

import io.weft.soak.observe.AuditFinding;
import io.weft.soak.observe.BurstRecord;
import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.Observations.CraftedCheck;
import io.weft.soak.observe.SoakData;
import io.weft.soak.observe.SoakData.CpuFigure;
import io.weft.soak.observe.SubnetAudit;
import io.weft.soak.observe.WeftdExit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The soak's report in Markdown: verdicts first, then what each fault cost, then the figures behind them. */
final class MarkdownReport {
    private final SoakData data;
    private final Attribution attribution;
    private final TcpJudge tcp;
    private final ResourceTrends resources;
    private final CounterReconciliation counters;
    private final List<Verdicts.Verdict> verdicts;
    private final StringBuilder md = new StringBuilder();

    MarkdownReport(SoakData data, Attribution attribution, TcpJudge tcp, ResourceTrends resources,
        CounterReconciliation counters, List<Verdicts.Verdict> verdicts) {
        this.data = data;
        this.attribution = attribution;
        this.tcp = tcp;
        this.resources = resources;
        this.counters = counters;
        this.verdicts = verdicts;
    }

    String render(List<Path> plots) {
        SoakData.Meta m = data.meta();
        line("# weft soak: " + m.profile() + ", " + m.nodes() + " nodes, " + m.plannedSeconds() + " s"
            + (m.interrupted() ? " (interrupted)" : ""));
        line("");
        line("Run " + m.startedAt() + " at `" + m.commit() + "`, seed " + m.seed() + ", " + fmt("%.0f", m
            .elapsedSeconds()) + " s from the first namespace to the last (cluster up after " + fmt("%.0f", m
            .setupSeconds()) + " s). Repeat it with `sudo " + m.command() + "`.");
        line("");
        line("Cluster: " + m.cluster() + ". Machine: " + m.machine() + ". Traffic: every pod probes every pod of"
            + " another node " + m.probesPerSecond() + " times a second (UDP, sequence numbers, one-way latency on the"
            + " shared monotonic clock; lost = not arrived within " + m.lossHorizonMs() + " ms), a ring of checked"
            + " TCP pattern connections (stall = no byte for " + m.stallMs() + " ms), and iperf3 bursts.");
        line("");
        verdicts();
        faults();
        recovery();
        probes();
        tcp();
        crafted();
        counters();
        cpu();
        resources();
        exitsAndAudit();
        machineStalls();
        bursts();
        plots(plots);
        if (!data.notes().isEmpty()) {
            line("## Notes");
            line("");
            data.notes().forEach(n -> line("- " + n));
            line("");
        }
        return md.toString();
    }

    private void verdicts() {
        long passed = verdicts.stream().filter(Verdicts.Verdict::passed).count();
        line("## Verdicts: " + passed + " of " + verdicts.size() + " hold");
        line("");
        line("| | oracle | seen |");
        line("| --- | --- | --- |");
        verdicts.forEach(v -> row(v.passed() ? "pass" : "**FAIL**", v.name(), v.detail()));
        line("");
    }

    private void faults() {
        line("## Faults");
        line("");
        line("A node fault may cost the pairs of its node; a cluster fault may cost no pair anything. Recovery: from"
            + " the fault's start to the pair's last lost probe. A fault's window ends " + data.meta().settleSeconds()
            + " s after the soak undid it.");
        line("");
        line("| # | at | fault | node | took | pairs that lost | probes lost | max recovery | healed"
            + " | what happened |");
        line("| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | --- | --- |");
        for (Attribution.FaultCost cost : attribution.faultCosts()) {
            FaultRecord f = cost.fault();
            row(Integer.toString(f.index()), clock(f.startMicros()), f.kind(), f.node() == null ? "all" : f.node(),
                fmt("%.1f s", (f.endMicros() - f.startMicros()) / 1e6), Integer.toString(cost.pairs().size()),
                Long.toString(cost.lost()), cost.pairs().isEmpty() ? "" : cost.maxRecoveryMillis() + " ms",
                f.selfHealed() ? "yes" : "**no**" + (f.repair() == null ? "" : ": " + f.repair()),
                (f.error() == null ? "" : "**failed: " + f.error() + "** ") + f.detail());
        }
        line("");
    }

    private void recovery() {
        line("## Recovery per fault kind");
        line("");
        line("| fault kind | scope | faults | pairs that lost | probes lost | recovery p50 | p99 | max |");
        line("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        Map<String, Attribution.KindRecovery> byKind = new LinkedHashMap<>();
        attribution.byKind().forEach(k -> byKind.put(k.kind(), k));
        List<SoakData.KindInfo> kinds = new ArrayList<>(data.meta().kinds());
        byKind.keySet().stream().filter(k -> kinds.stream().noneMatch(i -> i.id().equals(k)))
            .forEach(k -> kinds.add(new SoakData.KindInfo(k, true, "weftd exited without the soak ending it; the soak"
                + " started it again")));
        for (SoakData.KindInfo kind : kinds) {
            Attribution.KindRecovery r = byKind.get(kind.id());
            long injected = data.faults().stream().filter(f -> f.kind().equals(kind.id())).count();
            String scope = kind.nodeScoped() ? "its node's pairs" : "must cost nothing";
            if (r == null || r.pairsAffected() == 0) {
                row(kind.id(), scope, Long.toString(injected), "0", "0", "-", "-", "-");
            } else {
                row(kind.id(), scope, Long.toString(injected), Integer.toString(r.pairsAffected()),
                    Long.toString(r.lost()), r.p50Millis() + " ms", r.p99Millis() + " ms", r.maxMillis() + " ms");
            }
        }
        line("");
        kinds.forEach(k -> line("- `" + k.id() + "`: " + k.description()));
        line("");
    }

    private void probes() {
        long received = data.pairs().stream().mapToLong(SoakData.PairRow::received).sum();
        long lost = data.pairs().stream().mapToLong(SoakData.PairRow::lost).sum();
        long reordered = data.pairs().stream().mapToLong(SoakData.PairRow::reordered).sum();
        long duplicated = data.pairs().stream().mapToLong(SoakData.PairRow::duplicated).sum();
        long late = data.pairs().stream().mapToLong(SoakData.PairRow::late).sum();
        SoakData.LatencyRow all = data.overallLatency();
        line("## Probes");
        line("");
        line(data.pairs().size() + " pairs; " + fmt("%,d", received) + " probes received, " + fmt("%,d", lost)
            + " lost, " + duplicated + " duplicated, " + reordered + " reordered, " + late + " arrived after being"
            + " counted lost. One-way latency over every pair: p50 " + fmt("%.2f", all.p50Micros() / 1000.0)
            + " ms, p99 " + fmt("%.2f", all.p99Micros() / 1000.0) + " ms, max " + fmt("%.1f", all.maxMicros()
            / 1000.0) + " ms.");
        line("");
        List<Attribution.Unattributed> stray = attribution.unattributed();
        if (!stray.isEmpty()) {
            line("Losses no fault may explain:");
            line("");
            line("| pair | probes | sent from | to | during |");
            line("| --- | ---: | ---: | ---: | --- |");
            stray.forEach(u -> row(u.loss().pair().toString(), Long.toString(u.loss().count()),
                clock(u.loss().fromMicros()), clock(u.loss().toMicros()), u.duringFault() == null ? "quiet time"
                : u.duringFault()));
            line("");
        }
    }

    private void tcp() {
        long opened = data.tcp().stream().filter(e -> "open".equals(e.type())).count();
        line("## TCP pattern connections");
        line("");
        line(opened + " connections opened; " + tcp.breaks().size() + " breaks (" + tcp.breaks().stream()
            .filter(TcpJudge.Judged::allowed).count() + " where a node left); " + tcp.stalls().size() + " stalls ("
            + tcp.stalls().stream().filter(TcpJudge.Judged::allowed).count() + " in a node fault's window).");
        line("");
        if (!tcp.resumes().isEmpty()) {
            line("| stall | connection | length | fault |");
            line("| ---: | --- | ---: | --- |");
            tcp.resumes().forEach(j -> row(clock(j.event().micros() - j.event().millis() * 1000),
                j.event().source() + "->" + j.event().sink(), j.event().millis() + " ms", j.allowedBy() != null
                ? "#" + j.allowedBy().index() + " " + j.allowedBy().kind() + " on " + j.allowedBy().node()
                : j.machineStalled() ? "the machine stalled" : "**none**"));
            line("");
        }
        List<TcpJudge.Judged> breaks = tcp.breaks();
        if (!breaks.isEmpty()) {
            line("| break | at | connection | fault |");
            line("| --- | ---: | --- | --- |");
            breaks.forEach(j -> row(j.event().type() + " " + j.event().detail(), clock(j.event().micros()),
                j.event().source() + "->" + j.event().sink(), j.allowedBy() == null ? "**none**"
                : "#" + j.allowedBy().index() + " " + j.allowedBy().kind()));
            line("");
        }
    }

    private void crafted() {
        line("## Crafted datagrams against weftd's counters");
        line("");
        if (data.crafted().isEmpty()) {
            line("None sent.");
            line("");
            return;
        }
        line("| fault | node | drop reason | sent | counted |");
        line("| ---: | --- | --- | ---: | ---: |");
        for (CraftedCheck c : data.crafted()) {
            boolean ok = c.exact() ? c.counted() == c.expected() : c.counted() >= c.expected();
            row("#" + c.fault(), c.node(), c.reason(), c.expected() + (c.exact() ? "" : " + random"),
                ok ? Long.toString(c.counted()) : "**" + c.counted() + "**");
        }
        line("");
    }

    private void counters() {
        line("## Drop counters and probe loss");
        line("");
        line("Growth of weftd's `weft_drops_total` and the node namespaces' kernel UDP error counters, between"
            + " samples of one process; quiet = no fault window touches the interval.");
        line("");
        line("| series | quiet | during faults |");
        line("| --- | ---: | ---: |");
        counters.rows().forEach(r -> row("`" + r.series() + "`", Long.toString(r.quiet()),
            Long.toString(r.duringFaults())));
        if (counters.rows().isEmpty()) {
            row("(nothing grew)", "0", "0");
        }
        line("");
        long podErrors = data.podUdp().values().stream().mapToLong(c -> c.getOrDefault("RcvbufErrors", 0L)).sum();
        line("Pods' kernel UDP receive buffer errors at the end, all pods: " + podErrors + ".");
        line("");
    }

    private void cpu() {
        line("## CPU");
        line("");
        line("Idle: weftd running, no traffic. Loaded: the probe mesh and pattern connections, no fault, no burst."
            + " Share of one core; the machine's figure includes everything else running on it.");
        line("");
        line("| phase | what | CPU |");
        line("| --- | --- | ---: |");
        for (CpuFigure c : data.cpu()) {
            row(c.phase(), c.what(), fmt("%.1f%%", c.percentOfOneCore()));
        }
        line("");
    }

    private void resources() {
        line("## weftd resources");
        line("");
        line("Sampled every " + data.meta().sampleSeconds() + " s from /proc and the JVM's perf data. Slope: least"
            + " squares from " + ResourceTrends.rssWarmupSeconds(data) + " s into each weftd's life (its native"
            + " memory's warm-up: the JIT and metaspace grow as each fault kind first runs); judged over lives of at"
            + " least " + data.meta().slopeMinimumSpanSeconds() + " s after it. Direct memory is not visible from"
            + " outside the"
            + " process (no counter in /metrics or the perf data); RSS includes it.");
        line("");
        line("| node | pid | from | to | RSS first | last | max | slope | heap floor first | last | threads"
            + " min-max (last) | fds min-max (last) |");
        line("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (ResourceTrends.ProcessTrend t : resources.trends()) {
            row(t.node(), Long.toString(t.pid()), clock(t.firstMicros()), clock(t.lastMicros()),
                fmt("%.0f MiB", t.rssFirstMb()), fmt("%.0f MiB", t.rssLastMb()), fmt("%.0f MiB", t.rssMaxMb()),
                Double.isNaN(t.rssSlopeMbPerHour()) ? "-" : fmt("%+.0f MiB/h", t.rssSlopeMbPerHour())
                + (t.judgedSpanSeconds() < data.meta().slopeMinimumSpanSeconds() ? " (not judged)" : ""),
                fmt("%.0f MiB", t.heapFloorFirstMb()), fmt("%.0f MiB", t.heapFloorLastMb()),
                t.threadsMin() + "-" + t.threadsMax() + " (" + t.threadsLast() + ")",
                t.fdsMin() + "-" + t.fdsMax() + " (" + t.fdsLast() + ")");
        }
        line("");
    }

    private void exitsAndAudit() {
        line("## weftd exits and the subnet audit");
        line("");
        if (data.exits().isEmpty()) {
            line("No weftd exited unless the soak ended it.");
        }
        for (WeftdExit exit : data.exits()) {
            line("weftd on " + exit.node() + " at " + clock(exit.micros()) + ": "
                + exit.logTail().lines().findFirst().orElse("") + "; its last lines:");
            line("");
            line("```");
            line(exit.logTail());
            line("```");
        }
        line("");
        line(data.auditChecks() + " audits of etcd's leases against every node's subnet.env and pods.");
        line("");
        if (!data.audit().isEmpty()) {
            line("| finding | breaks the rule | checks | first | last |");
            line("| --- | --- | ---: | ---: | ---: |");
            for (AuditFinding f : data.audit()) {
                row(f.kind() + ": " + f.detail(), SubnetAudit.VIOLATIONS.contains(f.kind()) ? "**yes**" : "no",
                    Integer.toString(f.times()), clock(f.firstMicros()), clock(f.lastMicros()));
            }
            line("");
        }
    }

    private void machineStalls() {
        line("## Machine stalls");
        line("");
        line("Times the soak's controller overslept a 100 ms sleep by more than a second: the whole (shared) machine"
            + " stalled, and every process with it. " + data.machineStalls().size() + " stalls"
            + (data.machineStalls().isEmpty() ? "." : ": " + String.join(", ", data.machineStalls().stream()
            .map(m -> clock(m.fromMicros()) + " for " + fmt("%.1f s", (m.toMicros() - m.fromMicros()) / 1e6))
            .toList()) + "."));
        line("");
    }

    private void bursts() {
        line("## Bulk bursts (iperf3 TCP)");
        line("");
        if (data.bursts().isEmpty()) {
            line("None ran.");
        } else {
            line("| at | client -> server | received | error |");
            line("| ---: | --- | ---: | --- |");
            for (BurstRecord b : data.bursts()) {
                row(clock(b.startMicros()), b.client() + " -> " + b.server(), fmt("%.0f Mbit/s",
                    b.receivedBitsPerSecond() / 1e6), b.error() == null ? "" : b.error());
            }
        }
        line("");
    }

    private void plots(List<Path> plots) {
        line("## Plots");
        line("");
        plots.forEach(p -> line("![" + p.getFileName() + "](" + p.getFileName() + ")"));
        line("");
    }

    private void row(String... cells) {
        StringBuilder text = new StringBuilder("|");
        for (String cell : cells) {
            text.append(' ').append(cell.replace("|", "\\|").replace("\n", " ")).append(" |");
        }
        line(text.toString());
    }

    private void line(String text) {
        md.append(text).append('\n');
    }

    private static String clock(long micros) {
        long seconds = Math.max(0, micros / 1_000_000);
        return String.format("%d:%02d", seconds / 60, seconds % 60);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
