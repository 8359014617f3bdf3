package io.weft.soak.report;

import io.weft.soak.observe.CounterSample;
import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.SoakData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * weftd's drop counters (and the kernel's UDP error counters of each node) against what the probes lost: counter
 * growth between two samples of one weftd process is quiet when no fault window touches the interval, else it is the
 * faults'. Probes lost in quiet time must be explained by counted drops.
 */
public final class CounterReconciliation {
    private static final String DROPS = "weft_drops_total{";
    private static final List<String> KERNEL = List.of("RcvbufErrors", "SndbufErrors", "InErrors");

    /** Growth of one series over the run: in quiet intervals and during faults. */
    public record Row(String series, long quiet, long duringFaults) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final long quietCounted;

    public CounterReconciliation(SoakData data, Attribution attribution) {
        Map<String, long[]> growth = new TreeMap<>();
        Map<String, List<CounterSample>> byProcess = new LinkedHashMap<>();
        data.counters().forEach(s -> byProcess.computeIfAbsent(s.node() + "#" + s.pid(), k -> new ArrayList<>())
            .add(s));
        for (List<CounterSample> samples : byProcess.values()) {
            for (int i = 1; i < samples.size(); i++) {
                CounterSample a = samples.get(i - 1);
                CounterSample b = samples.get(i);
                boolean quiet = data.faults().stream().noneMatch(f -> touches(attribution, f, a.micros(), b.micros()));
                b.weftd().forEach((series, value) -> {
                    if (series.startsWith(DROPS)) {
                        add(growth, series, value - a.get(series), quiet);
                    }
                });
                for (String counter : KERNEL) {
                    long delta = b.kernelUdp().getOrDefault(counter, 0L) - a.kernelUdp().getOrDefault(counter, 0L);
                    add(growth, "node kernel Udp " + counter, delta, quiet);
                }
            }
        }
        growth.forEach((series, g) -> rows.add(new Row(series, g[0], g[1])));
        quietCounted = rows.stream().mapToLong(Row::quiet).sum();
    }

    private static boolean touches(Attribution attribution, FaultRecord fault, long from, long to) {
        return attribution.inWindow(fault, from) || attribution.inWindow(fault, to)
            || from <= fault.startMicros() && to >= fault.settledMicros();
    }

    private static void add(Map<String, long[]> growth, String series, long delta, boolean quiet) {
        if (delta <= 0) {
            return;
        }
        growth.computeIfAbsent(series, s -> new long[2])[quiet ? 0 : 1] += delta;
    }

    /** Series that grew, with their growth in quiet time and during faults. */
    public List<Row> rows() {
        return rows;
    }

    /** Drops weftd or the nodes' kernels counted outside every fault window. */
    public long quietCounted() {
        return quietCounted;
    }
}
