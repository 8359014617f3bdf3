package io.weft.soak.report;

import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.LossEvent;
import io.weft.soak.observe.Pair;
import io.weft.soak.observe.SoakData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which fault each lost probe belongs to. A fault owns its window, from a second before it began until the settle
 * time after its effects ended (the soak undid it and every pair flowed again, or the soak replaced the nodes it cut
 * off). A loss belongs to the latest fault whose window holds the loss's first probe and that may cost the pair: a
 * node fault the pairs involving its node, a cluster fault any pair (its losses are its own, and each one is a
 * finding); failing that, to the latest such fault the loss overlaps. Everything else is unattributed: collateral
 * when inside another fault's window, quiet when outside every window.
 */
public final class Attribution {
    private static final long BEFORE_MICROS = 1_000_000;

    /** One pair's cost in one fault: probes lost, and the time from the fault's start to its last lost probe. */
    public record PairCost(Pair pair, long lost, long firstLossMillis, long recoveryMillis) {
    }

    /** One fault with what it cost. */
    public record FaultCost(FaultRecord fault, List<PairCost> pairs) {
        public long lost() {
            return pairs.stream().mapToLong(PairCost::lost).sum();
        }

        public long maxRecoveryMillis() {
            return pairs.stream().mapToLong(PairCost::recoveryMillis).max().orElse(0);
        }
    }

    /** A loss no fault may explain, and whether it fell inside some fault's window. */
    public record Unattributed(LossEvent loss, String duringFault) {
    }

    /** Recovery of every (fault, pair) of a kind, and the probes lost. */
    public record KindRecovery(String kind, int faults, int pairsAffected, long lost, long p50Millis, long p99Millis,
                               long maxMillis) {
    }

    private final SoakData data;
    private final long settleMicros;
    private final long periodMicros;
    private final Map<FaultRecord, List<LossEvent>> byFault = new LinkedHashMap<>();
    private final List<Unattributed> unattributed = new ArrayList<>();

    public Attribution(SoakData data) {
        this.data = data;
        this.settleMicros = data.meta().settleSeconds() * 1_000_000L;
        this.periodMicros = 1_000_000L / data.meta().probesPerSecond();
        data.faults().forEach(f -> byFault.put(f, new ArrayList<>()));
        for (LossEvent loss : data.losses()) {
            Optional<FaultRecord> owner = data.faults().stream()
                .filter(f -> inWindow(f, loss.fromMicros()) && mayCost(f, loss.pair()))
                .max(Comparator.comparingLong(FaultRecord::startMicros))
                .or(() -> data.faults().stream().filter(f -> overlaps(f, loss) && mayCost(f, loss.pair()))
                    .max(Comparator.comparingLong(FaultRecord::startMicros)));
            if (owner.isPresent()) {
                byFault.get(owner.get()).add(loss);
            } else {
                String during = data.faults().stream().filter(f -> overlaps(f, loss))
                    .map(f -> f.kind() + (f.node() == null ? "" : " on " + f.node())).findFirst().orElse(null);
                unattributed.add(new Unattributed(loss, during));
            }
        }
    }

    /** A node fault may cost the pairs of its node; a cluster fault's losses are its own (and each a finding). */
    static boolean mayCost(FaultRecord fault, Pair pair) {
        return !fault.nodeScoped() || fault.node() != null && pair.involves(fault.node());
    }

    public boolean inWindow(FaultRecord fault, long micros) {
        return micros >= fault.startMicros() - BEFORE_MICROS && micros <= fault.settledMicros() + settleMicros;
    }

    /** The latest fault whose window holds {@code micros}: what a finding at that time is blamed on. */
    public Optional<FaultRecord> blame(long micros) {
        return data.faults().stream().filter(f -> inWindow(f, micros))
            .max(Comparator.comparingLong(FaultRecord::startMicros));
    }

    /** As {@link #blame(long)}, among the faults of {@code node} and of the whole cluster. */
    public Optional<FaultRecord> blame(long micros, String node) {
        return data.faults().stream().filter(f -> inWindow(f, micros) && (!f.nodeScoped() || node.equals(f.node())))
            .max(Comparator.comparingLong(FaultRecord::startMicros));
    }

    /**
     * The fault an incident happened under, or the fault itself. A native crash is nobody's but weftd's: whatever
     * fault was under way, it is its own root.
     */
    public FaultRecord rootOf(FaultRecord fault) {
        if (fault.cause() == 0 || isNativeCrash(fault)) {
            return fault;
        }
        return data.faults().stream().filter(f -> f.index() == fault.cause()).findFirst().orElse(fault);
    }

    private boolean overlaps(FaultRecord fault, LossEvent loss) {
        return loss.toMicros() >= fault.startMicros() - BEFORE_MICROS
            && loss.fromMicros() <= fault.settledMicros() + settleMicros;
    }

    /** The faults whose window holds {@code micros}. */
    public List<FaultRecord> faultsAt(long micros) {
        return data.faults().stream().filter(f -> inWindow(f, micros)).toList();
    }

    public List<Unattributed> unattributed() {
        return List.copyOf(unattributed);
    }

    public List<FaultCost> faultCosts() {
        List<FaultCost> costs = new ArrayList<>();
        byFault.forEach((fault, losses) -> {
            Map<Pair, List<LossEvent>> byPair = new TreeMap<>();
            losses.forEach(loss -> byPair.computeIfAbsent(loss.pair(), p -> new ArrayList<>()).add(loss));
            List<PairCost> pairs = new ArrayList<>();
            byPair.forEach((pair, events) -> {
                long lost = events.stream().mapToLong(LossEvent::count).sum();
                long first = events.stream().mapToLong(LossEvent::fromMicros).min().orElse(fault.startMicros());
                long last = events.stream().mapToLong(LossEvent::toMicros).max().orElse(fault.startMicros());
                pairs.add(new PairCost(pair, lost, Math.max(0, first - fault.startMicros()) / 1000,
                    Math.max(0, last + periodMicros - fault.startMicros()) / 1000));
            });
            costs.add(new FaultCost(fault, pairs));
        });
        return costs;
    }

    /** Per kind, in the order the report lists kinds; kinds never injected are left out. */
    public List<KindRecovery> byKind() {
        Map<String, List<FaultCost>> kinds = new LinkedHashMap<>();
        data.meta().kinds().forEach(k -> kinds.put(k.id(), new ArrayList<>()));
        faultCosts().forEach(c -> kinds.computeIfAbsent(c.fault().kind(), k -> new ArrayList<>()).add(c));
        List<KindRecovery> rows = new ArrayList<>();
        kinds.forEach((kind, costs) -> {
            if (costs.isEmpty()) {
                return;
            }
            List<Long> recoveries = new ArrayList<>();
            costs.forEach(c -> c.pairs().forEach(p -> recoveries.add(p.recoveryMillis())));
            recoveries.sort(null);
            rows.add(new KindRecovery(kind, costs.size(), recoveries.size(), costs.stream()
                .mapToLong(FaultCost::lost).sum(), percentile(recoveries, 50), percentile(recoveries, 99),
                recoveries.isEmpty() ? 0 : recoveries.get(recoveries.size() - 1)));
        });
        return rows;
    }

    /** An incident in which weftd died of a native crash (SIGSEGV, or glibc's abort: exit code 134). */
    public static boolean isNativeCrash(FaultRecord fault) {
        return FaultRecord.INCIDENT.equals(fault.kind()) && (fault.detail().contains("native crash")
            || fault.detail().contains("exited with 134"));
    }

    static long percentile(List<Long> sorted, double percentile) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
