package io.weft.soak.report;

import io.weft.soak.observe.AuditFinding;
import io.weft.soak.observe.CounterSample;
import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.Observations.CraftedCheck;
import io.weft.soak.observe.SoakData;
import io.weft.soak.observe.SubnetAudit;
import io.weft.soak.observe.TcpEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The soak's oracles. Each verdict lists its violations, each blamed on the fault in whose window it began (none when
 * it began in quiet time or concerns the whole run), so that a finding in weftd is traced to the fault that shows it.
 */
public final class Verdicts {
    /** A pair may take this long, from a fault's start, to flow again. */
    public static final long RECOVERY_BOUND_MILLIS = 30_000;
    private static final int LISTED = 8;
    private static final Pattern GLIBC_ABORT = Pattern.compile(
        "^(free|malloc|realloc|munmap_chunk|malloc_consolidate)\\(\\)|double free|corrupted (size|double-linked)"
        + "|^Fatal glibc error");

    /** One thing an oracle saw wrong, and the fault it began under (index 0 and kind null: none). */
    public record Violation(String detail, int fault, String kind) {
    }

    /** One oracle's outcome: it holds when nothing violates it. */
    public record Verdict(String name, String seen, List<Violation> violations) {
        public boolean passed() {
            return violations.isEmpty();
        }

        /** The seen summary, then the violations, a few of them. */
        public String detail() {
            if (violations.isEmpty()) {
                return seen;
            }
            List<String> shown = violations.stream().limit(LISTED).map(v -> v.detail() + (v.kind() == null ? ""
                : " [#" + v.fault() + " " + v.kind() + "]")).toList();
            return seen + "; " + String.join("; ", shown) + (violations.size() > LISTED ? "; and "
                + (violations.size() - LISTED) + " more" : "");
        }
    }

    private final SoakData data;
    private final Attribution attribution;
    private final List<Verdict> verdicts = new ArrayList<>();

    private Verdicts(SoakData data, Attribution attribution) {
        this.data = data;
        this.attribution = attribution;
    }

    public static List<Verdict> judge(SoakData data, Attribution attribution, TcpJudge tcp, ResourceTrends resources,
        CounterReconciliation counters) {
        Verdicts v = new Verdicts(data, attribution);
        v.faults();
        v.losses();
        v.integrity();
        v.tcp(tcp);
        v.exitsAndSubnets();
        v.counters(counters);
        v.resources(resources);
        v.add("agents ran without error", data.agentErrors().size() + " errors",
            data.agentErrors().stream().map(e -> new Violation(e, 0, null)).toList());
        return List.copyOf(v.verdicts);
    }

    private void faults() {
        Set<String> injected = data.faults().stream().filter(f -> f.error() == null).map(FaultRecord::kind)
            .collect(Collectors.toSet());
        List<Violation> wrong = new ArrayList<>();
        data.meta().kinds().stream().map(SoakData.KindInfo::id).filter(k -> !injected.contains(k))
            .forEach(k -> wrong.add(new Violation("never injected: " + k, 0, null)));
        data.faults().stream().filter(f -> f.error() != null).forEach(f -> wrong.add(at(f, "could not inject "
            + f.kind() + ": " + f.error())));
        add("every fault kind injected, without error", data.faults().size() + " faults", wrong);

        List<Violation> unhealed = data.faults().stream().filter(f -> !f.selfHealed())
            .map(f -> at(f, "pairs did not flow again after " + f.kind() + (f.node() == null ? "" : " on " + f.node())
                + (f.repair() == null ? "" : " (" + f.repair() + ")"))).toList();
        List<Violation> slow = new ArrayList<>();
        attribution.faultCosts().forEach(c -> c.pairs().stream().filter(p -> p.recoveryMillis()
            > RECOVERY_BOUND_MILLIS).findFirst().ifPresent(p -> slow.add(at(c.fault(), p.pair() + " lost probes "
            + p.recoveryMillis() + " ms after " + c.fault().kind() + " began"))));
        add("every pair flows again after every fault, on its own", data.faults().stream()
            .filter(FaultRecord::selfHealed).count() + " of " + data.faults().size() + " faults healed", unhealed);
        add("no pair loses probes longer than " + RECOVERY_BOUND_MILLIS / 1000 + " s after a fault began",
            attribution.faultCosts().stream().mapToLong(Attribution.FaultCost::maxRecoveryMillis).max().orElse(0)
            + " ms at most", slow);
    }

    private void losses() {
        List<Violation> stray = attribution.unattributed().stream().map(u -> blamed(u.loss().fromMicros(),
            u.loss().pair() + " lost " + u.loss().count() + " at " + seconds(u.loss().fromMicros())
            + (u.duringFault() == null ? " (quiet)" : ""))).toList();
        add("no probe lost on a pair no fault may cost", attribution.unattributed().stream().mapToLong(u -> u.loss()
            .count()).sum() + " such probes", stray);

        List<Violation> cluster = attribution.faultCosts().stream().filter(c -> !c.fault().nodeScoped()
            && c.lost() > 0).map(c -> at(c.fault(), c.fault().kind() + " cost " + c.lost() + " probes on "
            + c.pairs().size() + " pairs")).toList();
        add("cluster faults (etcd, config key, crafted datagrams) cost no probe", cluster.isEmpty() ? "none lost"
            : "", cluster);
    }

    private void integrity() {
        List<Violation> corrupt = new ArrayList<>();
        data.badProbes().forEach(b -> corrupt.add(blamed(Long.parseLong(b.split(" ")[0]), "corrupted probe " + b)));
        data.tcp().stream().filter(e -> "corrupt".equals(e.type())).forEach(e -> corrupt.add(blamed(e.micros(),
            "corrupted TCP byte " + describe(e))));
        add("no corrupted probe, no corrupted TCP byte", data.badProbes().size() + " bad probes", corrupt);

        long reordered = data.pairs().stream().mapToLong(SoakData.PairRow::reordered).sum();
        List<Violation> duplicated = data.timeline().stream().filter(s -> s.duplicated() > 0)
            .map(s -> blamed(s.second() * 1_000_000L, s.duplicated() + " duplicated in second " + s.second()))
            .toList();
        add("no probe duplicated", reordered + " reordered (reported, not judged)", duplicated);
    }

    private void tcp(TcpJudge tcp) {
        add("TCP connections break only where a node leaves", tcp.breaks().size() + " breaks", tcp.breaks().stream()
            .filter(j -> !j.allowed()).map(j -> blamed(j.event().micros(), describe(j.event()))).toList());
        add("TCP stalls (no byte for " + data.meta().stallMs() + " ms) only where a node fault touches an end",
            tcp.stalls().size() + " stalls", tcp.stalls().stream().filter(j -> !j.allowed())
            .map(j -> blamed(j.event().micros(), describe(j.event()))).toList());
    }

    private void exitsAndSubnets() {
        add("no weftd exit the soak did not cause", data.exits().size() + " exits", data.exits().stream()
            .map(e -> blamed(e.micros(), e.node(), e.node() + " " + e.logTail().lines().findFirst().orElse("")
                + " at " + seconds(e.micros()) + nativeCrash(e.logTail()))).toList());
        List<Violation> subnets = new ArrayList<>();
        for (AuditFinding f : data.audit()) {
            if (SubnetAudit.VIOLATIONS.contains(f.kind())) {
                subnets.add(blamed(f.firstMicros(), f.node(), f.kind() + ": " + f.detail() + " (" + f.times()
                    + " checks)"));
            }
        }
        if (data.auditChecks() == 0) {
            subnets.add(new Violation("never audited", 0, null));
        }
        add("no two nodes ever held one subnet; pods stay in their node's subnet", data.auditChecks()
            + " checks against etcd", subnets);
    }

    private void counters(CounterReconciliation counters) {
        List<Violation> crafted = new ArrayList<>();
        for (CraftedCheck c : data.crafted()) {
            boolean ok = c.exact() ? c.counted() == c.expected() : c.counted() >= c.expected();
            if (!ok) {
                crafted.add(new Violation(c.node() + " " + c.reason() + ": sent " + c.expected() + (c.exact() ? ""
                    : " or more") + ", counted " + c.counted(), c.fault(), "crafted-datagrams"));
            }
        }
        if (data.crafted().isEmpty()) {
            crafted.add(new Violation("no crafted datagram was sent", 0, null));
        }
        add("crafted datagrams counted under their drop reasons", data.crafted().size() + " counts checked", crafted);

        Map<String, CounterSample> last = new LinkedHashMap<>();
        data.counters().forEach(s -> last.put(s.node(), s));
        long lastMicros = last.values().stream().mapToLong(CounterSample::micros).max().orElse(0);
        List<CounterSample> end = last.values().stream()
            .filter(s -> s.micros() >= lastMicros - data.meta().sampleSeconds() * 2_000_000L).toList();
        add("every weftd knows every lease at the end", end.size() + " nodes", end.stream()
            .filter(s -> s.get("weft_leases_known") != end.size())
            .map(s -> new Violation(s.node() + " knows " + s.get("weft_leases_known") + " leases", 0, null))
            .toList());

        long quietLost = attribution.unattributed().stream().filter(u -> u.duringFault() == null)
            .mapToLong(u -> u.loss().count()).sum();
        add("counters explain the probes lost outside faults", quietLost + " probes lost outside faults, "
            + counters.quietCounted() + " drops counted outside faults (weftd and the nodes' kernels)",
            quietLost <= counters.quietCounted() ? List.of() : List.of(new Violation(quietLost - counters
            .quietCounted() + " lost probes no counter explains", 0, null)));
    }

    private void resources(ResourceTrends resources) {
        List<ResourceTrends.ProcessTrend> judged = resources.trends().stream()
            .filter(t -> t.judgedSpanSeconds() >= data.meta().slopeMinimumSpanSeconds()).toList();
        add("weftd RSS flat after warm-up (at most " + (int) ResourceTrends.RSS_SLOPE_BOUND_MB_PER_HOUR + " MiB/h)",
            judged.isEmpty() ? "no weftd lived " + data.meta().slopeMinimumSpanSeconds() + " s after warm-up: not"
            + " judged (the resource table has the figures)" : judged.size() + " processes judged",
            judged.stream().filter(t -> t.rssSlopeMbPerHour() > ResourceTrends.RSS_SLOPE_BOUND_MB_PER_HOUR)
            .map(t -> new Violation(String.format("%s pid %d %+.1f MiB/h", t.node(), t.pid(), t.rssSlopeMbPerHour()),
                0, null)).toList());
        add("fds and threads back to their level after each fault (+" + ResourceTrends.LEVEL_TOLERANCE + ")",
            "every surviving weftd compared", resources.levelChanges().stream().map(c -> new Violation(String.format(
            "%s fds %d->%d threads %d->%d", c.node(), c.fdsBefore(), c.fdsAfter(), c.threadsBefore(),
            c.threadsAfter()), c.fault(), c.kind())).toList());
    }

    private void add(String name, String seen, List<Violation> violations) {
        verdicts.add(new Verdict(name, seen, List.copyOf(violations)));
    }

    private Violation blamed(long micros, String detail) {
        Optional<FaultRecord> fault = attribution.blame(micros);
        return fault.map(f -> at(f, detail)).orElse(new Violation(detail, 0, null));
    }

    private Violation blamed(long micros, String node, String detail) {
        Optional<FaultRecord> fault = attribution.blame(micros, node);
        return fault.map(f -> at(f, detail)).orElse(new Violation(detail, 0, null));
    }

    /** Blamed on the fault, or on the fault an incident happened under. */
    private Violation at(FaultRecord fault, String detail) {
        FaultRecord root = attribution.rootOf(fault);
        return new Violation(detail, root.index(), root.kind());
    }

    /**
     * What a native crash left in an exit's log: the JVM's problematic frame (hs_err), or glibc's message when its
     * allocator found its heap corrupted and aborted.
     */
    public static String nativeCrash(String logTail) {
        List<String> lines = logTail.lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("# Problematic frame:")) {
                return " (native crash, JVM fatal error:" + lines.get(i + 1).substring(1) + ")";
            }
        }
        return lines.stream().filter(l -> GLIBC_ABORT.matcher(l).find()).findFirst()
            .map(l -> " (native crash, glibc abort: " + l.strip() + ")").orElse("");
    }

    private static String describe(TcpEvent e) {
        return e.type() + " " + e.source() + "->" + e.sink() + " at " + seconds(e.micros())
            + (e.millis() > 0 ? " " + e.millis() + " ms" : "") + (e.detail().isEmpty() ? "" : " " + e.detail());
    }

    static String seconds(long micros) {
        return String.format("%.1f s", micros / 1e6);
    }
}
