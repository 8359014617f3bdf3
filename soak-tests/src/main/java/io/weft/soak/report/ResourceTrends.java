package io.weft.soak.report;

import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.ResourceSample;
import io.weft.soak.observe.SoakData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Each weftd process's resources over its life: RSS, heap floor, threads and fds, their slope after warm-up, and
 * whether threads and fds came back to their level after each fault the process lived through.
 */
public final class ResourceTrends {
    /** RSS may not grow faster than this after warm-up, over a life long enough to judge. */
    public static final double RSS_SLOPE_BOUND_MB_PER_HOUR = 32;
    /**
     * How long a weftd's native memory warms up, from its start: the JIT compiles and the metaspace grows as each
     * fault kind first runs its code. In the hour soaks every weftd's RSS rose by 10-15 MiB in its first 6-9 minutes,
     * then stayed within a few MiB for the rest of lives of up to 57 minutes; judged from the traffic's one-minute
     * warm-up, that rise read as a slope of 30-100 MiB/h on lives of 10-20 minutes, a leak it was not.
     */
    public static final long RSS_WARMUP_SECONDS = 600;
    /** After a fault, a surviving weftd may hold this many more fds or threads than before it. */
    public static final int LEVEL_TOLERANCE = 2;
    private static final long STARTUP_MICROS = 10_000_000;

    /** One weftd process (a node and a pid) summarised. */
    public record ProcessTrend(String node, long pid, long firstMicros, long lastMicros, int samples, double rssFirstMb,
                               double rssLastMb, double rssMaxMb, double rssSlopeMbPerHour, double judgedSpanSeconds,
                               double heapFloorFirstMb, double heapFloorLastMb, int threadsMin, int threadsMax,
                               int threadsLast, int fdsMin, int fdsMax, int fdsLast) {
    }

    /** A weftd that holds more fds or threads after a fault than before it. */
    public record LevelChange(int fault, String kind, String node, long pid, int fdsBefore, int fdsAfter,
                              int threadsBefore, int threadsAfter) {
    }

    private final SoakData data;
    private final Map<String, List<ResourceSample>> byProcess = new LinkedHashMap<>();

    public ResourceTrends(SoakData data) {
        this.data = data;
        data.resources().forEach(s -> byProcess.computeIfAbsent(s.node() + "#" + s.pid(), k -> new ArrayList<>())
            .add(s));
    }

    public Map<String, List<ResourceSample>> byProcess() {
        return byProcess;
    }

    public List<ProcessTrend> trends() {
        long warmupMicros = rssWarmupSeconds(data) * 1_000_000L;
        List<ProcessTrend> trends = new ArrayList<>();
        byProcess.forEach((key, samples) -> {
            ResourceSample first = samples.get(0);
            ResourceSample last = samples.get(samples.size() - 1);
            List<ResourceSample> judged = samples.stream().filter(s -> s.micros() >= first.micros() + warmupMicros)
                .toList();
            double span = judged.size() < 2 ? 0 : (judged.get(judged.size() - 1).micros() - judged.get(0).micros())
                / 1e6;
            double slope = judged.size() < 3 ? Double.NaN : slope(judged, s -> s.rssKb() / 1024.0) * 3600;
            trends.add(new ProcessTrend(first.node(), first.pid(), first.micros(), last.micros(), samples.size(),
                first.rssKb() / 1024.0, last.rssKb() / 1024.0,
                samples.stream().mapToLong(ResourceSample::rssKb).max().orElse(0) / 1024.0, slope, span,
                heapFloor(samples, true), heapFloor(samples, false),
                samples.stream().mapToInt(ResourceSample::threads).min().orElse(0),
                samples.stream().mapToInt(ResourceSample::threads).max().orElse(0), last.threads(),
                samples.stream().mapToInt(ResourceSample::fds).min().orElse(0),
                samples.stream().mapToInt(ResourceSample::fds).max().orElse(0), last.fds()));
        });
        return trends;
    }

    /** From a weftd's start to the first sample its RSS slope is judged on: the traffic's warm-up, or longer. */
    public static long rssWarmupSeconds(SoakData data) {
        return Math.max(data.meta().warmupSeconds(), RSS_WARMUP_SECONDS);
    }

    /**
     * For each fault and each weftd that lived through it: its last sample before the fault against its level after
     * it: the fewest fds and threads of its samples from the settle time after the fault was undone until the next
     * fault began (or the run ended), when it knew as many leases then as before. The fewest, not the last: a sample
     * taken while weftd runs iptables (every few seconds, for its rules) counts the child's pipes, which are gone a
     * moment later; a leak stays in every sample.
     */
    public List<LevelChange> levelChanges() {
        List<LevelChange> changes = new ArrayList<>();
        List<FaultRecord> faults = data.faults();
        long settle = data.meta().settleSeconds() * 1_000_000L;
        for (int i = 0; i < faults.size(); i++) {
            FaultRecord fault = faults.get(i);
            long until = i + 1 < faults.size() ? faults.get(i + 1).startMicros() : data.meta().trafficEndMicros();
            for (List<ResourceSample> samples : byProcess.values()) {
                ResourceSample before = null;
                int fewestFds = Integer.MAX_VALUE;
                int fewestThreads = Integer.MAX_VALUE;
                long started = samples.get(0).micros();
                for (ResourceSample s : samples) {
                    if (s.micros() < started + STARTUP_MICROS) {
                        continue; // still starting: lanes and the registry's threads come up in the first seconds
                    }
                    if (s.micros() < fault.startMicros()) {
                        before = s;
                    } else if (before != null && s.micros() >= fault.settledMicros() + settle && s.micros() < until
                        && leasesKnown(s) == leasesKnown(before)) {
                        fewestFds = Math.min(fewestFds, s.fds());
                        fewestThreads = Math.min(fewestThreads, s.threads());
                    }
                }
                if (before != null && fewestFds != Integer.MAX_VALUE
                    && (fewestFds > before.fds() + LEVEL_TOLERANCE
                    || fewestThreads > before.threads() + LEVEL_TOLERANCE)) {
                    changes.add(new LevelChange(fault.index(), fault.kind(), before.node(), before.pid(), before.fds(),
                        fewestFds, before.threads(), fewestThreads));
                }
            }
        }
        return changes;
    }

    /**
     * The leases the process knew when sampled (its counter sample nearest in time): a weftd holds a socket address
     * and more per peer, so levels are compared only where the membership is the same.
     */
    private long leasesKnown(ResourceSample sample) {
        return data.counters().stream().filter(c -> c.pid() == sample.pid() && c.node().equals(sample.node()))
            .min(Comparator.comparingLong(c -> Math.abs(c.micros() - sample.micros())))
            .map(c -> c.get("weft_leases_known")).orElse(-1L);
    }

    /** The lowest heap in use over the first or last third of the samples: what stays after collections. */
    private static double heapFloor(List<ResourceSample> samples, boolean first) {
        int third = Math.max(1, samples.size() / 3);
        List<ResourceSample> part = first ? samples.subList(0, third) : samples.subList(samples.size() - third,
            samples.size());
        return part.stream().mapToLong(ResourceSample::heapUsedBytes).filter(b -> b >= 0).min().orElse(-1)
            / 1024.0 / 1024.0;
    }

    /** Least-squares slope per second. */
    static double slope(List<ResourceSample> samples, ToDoubleFunction<ResourceSample> value) {
        double n = samples.size();
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (ResourceSample s : samples) {
            double x = s.micros() / 1e6;
            double y = value.applyAsDouble(s);
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        double denominator = n * sxx - sx * sx;
        return denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator;
    }
}
