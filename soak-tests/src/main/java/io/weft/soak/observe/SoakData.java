package io.weft.soak.observe;

import java.util.List;
import java.util.Map;

/** Everything a soak run recorded, as written to {@code soak.json} and read by the report. */
public record SoakData(Meta meta, List<FaultRecord> faults, List<LossEvent> losses, List<PairRow> pairs,
                       List<SecondRow> timeline, List<LatencyRow> latency, LatencyRow overallLatency,
                       List<TcpEvent> tcp, List<String> badProbes,
                       List<String> agentErrors, List<ResourceSample> resources, List<CounterSample> counters,
                       Map<String, Map<String, Long>> podUdp, List<AuditFinding> audit, int auditChecks,
                       List<WeftdExit> exits, List<BurstRecord> bursts, List<Observations.CraftedCheck> crafted,
                       List<CpuFigure> cpu, List<MachineStall> machineStalls, List<String> notes) {

    /**
     * The run: how it was asked for and what it was. Times are microseconds since the epoch (the controller's clock
     * when it started); traffic ran from {@code trafficStartMicros} (agents started) to {@code trafficEndMicros}.
     */
    public record Meta(String profile, int nodes, long plannedSeconds, long seed, String startedAt,
                       double elapsedSeconds, double setupSeconds, boolean interrupted, String command, String commit,
                       String cluster, String machine, int probesPerSecond, int settleSeconds, int stallMs,
                       int lossHorizonMs, int sampleSeconds, int warmupSeconds, long slopeMinimumSpanSeconds,
                       long trafficStartMicros, long trafficEndMicros, long clockTicksPerSecond,
                       List<KindInfo> kinds) {
    }

    /** A fault kind as the report lists it. */
    public record KindInfo(String id, boolean nodeScoped, String description) {
    }

    /** One pair's totals and one-way latency percentiles over the run. */
    public record PairRow(String from, String to, long received, long lost, long duplicated, long reordered, long late,
                          long latencyP50Micros, long latencyP99Micros, long latencyMaxMicros) {
    }

    /** One second of the whole mesh, by the probes' send time. */
    public record SecondRow(long second, long received, long lost, long duplicated, long reordered) {
    }

    /** Ten seconds of one-way latency over every pair. */
    public record LatencyRow(long second, long count, long p50Micros, long p99Micros, long maxMicros) {
    }

    /** CPU use in a phase (idle: weftd up, no traffic; loaded: the probe mesh, no faults), % of one core. */
    public record CpuFigure(String phase, String what, double percentOfOneCore, double seconds) {
    }
}
