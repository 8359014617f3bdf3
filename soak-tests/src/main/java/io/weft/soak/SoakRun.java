package io.weft.soak;

import io.weft.soak.agent.AgentSettings;
import io.weft.soak.cluster.SoakCluster;
import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.Observations;
import io.weft.soak.observe.PodDirectory;
import io.weft.soak.observe.ProbeLedger;
import io.weft.soak.observe.SoakData;
import io.weft.soak.observe.SoakData.CpuFigure;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * One soak: a cluster started, weftd measured idle, the probe mesh started and measured, then faults from the seeded
 * schedule with quiet time between them (and bulk bursts beside them) until the duration ends, then the traffic ended
 * and judged, the cluster removed. Returns everything it saw; {@link #requestStop()} (Ctrl-C) cuts it short.
 */
public final class SoakRun {
    private static final String PLACEHOLDER_IP = "0.0.0.0";

    private final SoakOptions options;
    private final IntFunction<SoakCluster> clusterFactory;
    private final Consumer<String> log;
    private volatile RunState state;
    private volatile Thread runner;

    public SoakRun(SoakOptions options, IntFunction<SoakCluster> clusterFactory, Consumer<String> log) {
        this.options = options;
        this.clusterFactory = clusterFactory;
        this.log = log;
    }

    /** Ends the run early: faults stop, the traffic is judged as far as it went, the cluster is removed. */
    public void requestStop() {
        RunState current = state;
        if (current != null) {
            current.stopRequested = true;
        }
        Thread thread = runner;
        if (thread != null) {
            thread.interrupt();
        }
    }

    public SoakData run() {
        runner = Thread.currentThread();
        try {
            return runInner();
        } finally {
            runner = null;
            Thread.interrupted();
        }
    }

    private SoakData runInner() {
        Profile profile = options.profile();
        Random random = new Random(options.seed());
        long epoch = System.nanoTime();
        RunState run = new RunState(epoch);
        state = run;
        String startedAt = Instant.now().toString();
        log.accept("[soak] seed " + options.seed() + ", profile " + profile.id() + ", " + options.nodes() + " nodes, "
            + options.duration().toSeconds() + " s; to repeat: " + options.command());
        int cycles = profile.repeats ? Math.max(1, (int) (options.duration().toMinutes() / 10) + 1) : 1;
        List<FaultKind> plan = FaultPlan.order(random, cycles);
        long plannedMicros = options.duration().toNanos() / 1000;
        long ticks = CpuMeter.clockTicksPerSecond();
        PodDirectory directory = new PodDirectory();
        AgentSettings template = new AgentSettings(PLACEHOLDER_IP, epoch, Profile.PROBES_PER_SECOND,
            AgentSettings.DEFAULT_UDP_PORT, AgentSettings.DEFAULT_TCP_PORT, Profile.TCP_BYTES_PER_SECOND,
            Profile.STALL_MS, Profile.LOSS_HORIZON_MS, Path.of("/dev/null"));
        Observations observations = new Observations(new ProbeLedger(directory, template.periodMicros(),
            Profile.LOSS_HORIZON_MS * 1000L));
        List<FaultRecord> faults = Collections.synchronizedList(new ArrayList<>());
        List<CpuFigure> cpu = new ArrayList<>();
        String description = "";
        double setupSeconds = 0;
        long trafficStart = 0;
        long trafficEnd = 0;
        boolean interrupted = false;
        SoakCluster cluster = null;
        Monitor monitor = null;
        Bursts bursts = null;
        Thread burstThread = null;
        Mesh mesh = null;
        try {
            log.accept("[soak] starting " + options.nodes() + " nodes, etcd and pods");
            cluster = clusterFactory.apply(options.nodes());
            description = cluster.describe();
            setupSeconds = run.micros() / 1e6;
            mesh = new Mesh(cluster, template, options.seed(), directory);
            CpuMeter meter = new CpuMeter(cluster, mesh, ticks);
            log.accept("[soak] " + RunState.clock(run.micros()) + " cluster up; weftd idle for " + profile.idleSeconds
                + " s");
            meter.begin();
            Injector.sleepMs(profile.idleSeconds * 1000L);
            cpu.addAll(meter.end("idle"));
            mesh.join(cluster.nodes());
            trafficStart = run.micros();
            monitor = new Monitor(cluster, mesh, observations, run, profile, log, plan.size(), plannedMicros, faults);
            monitor.start();
            log.accept("[soak] " + RunState.clock(run.micros()) + " probes and pattern connections running; warm-up "
                + profile.warmupSeconds + " s");
            Injector.sleepMs(2000);
            long window = (profile.warmupSeconds - 3) * 1000L / 2;
            meter.begin();
            Injector.sleepMs(window);
            cpu.addAll(meter.end("loaded"));
            mesh.spread(true);
            Injector.sleepMs(1000);
            meter.begin();
            Injector.sleepMs(window);
            cpu.addAll(meter.end("loaded, probes spread"));
            mesh.spread(false);
            cpu.forEach(figure -> log.accept(String.format("[soak] cpu %s: %s %.1f%% of a core", figure.phase(),
                figure.what(), figure.percentOfOneCore())));
            bursts = new Bursts(cluster, observations, run, profile, random.nextLong());
            burstThread = new Thread(bursts, "soak-bursts");
            burstThread.setDaemon(true);
            burstThread.start();
            Injector injector = new Injector(cluster, mesh, observations, run, random, profile.holdMillis);
            Healer healer = new Healer(cluster, mesh, observations.ledger, run, log);
            for (int i = 0; i < plan.size() && !run.stopRequested; i++) {
                int quiet = profile.quietMinSeconds + random.nextInt(profile.quietMaxSeconds - profile.quietMinSeconds
                    + 1);
                if (profile.repeats && run.micros() + quiet * 1_000_000L > plannedMicros - 60_000_000L) {
                    break;
                }
                Injector.sleepMs(quiet * 1000L);
                FaultRecord fault = healer.heal(injector.inject(i + 1, plan.get(i)), profile.healWait);
                faults.add(fault);
                run.inProgress = null;
                log.accept(String.format("[soak] %s fault %d/%d %s%s: %s%s (%.1f s)", RunState.clock(fault
                    .startMicros()), i + 1, plan.size(), fault.kind(), fault.node() == null ? "" : " on "
                    + fault.node(), fault.detail(), (fault.error() == null ? "" : " FAILED: " + fault.error())
                    + (fault.selfHealed() ? "" : "; pairs did not recover") + (fault.repair() == null ? ""
                    : "; " + fault.repair()), (fault.endMicros() - fault.startMicros()) / 1e6));
            }
            Injector.sleepMs(profile.settleSeconds * 1000L + 2000);
        } catch (RuntimeException e) {
            if (!run.stopRequested) {
                throw e;
            }
            interrupted = true;
        } finally {
            interrupted |= run.stopRequested;
            if (bursts != null) {
                bursts.stop();
                join(burstThread, 60_000);
            }
            if (mesh != null) {
                try {
                    mesh.endAll();
                    trafficEnd = run.micros();
                    if (!run.stopRequested) {
                        Injector.sleepMs(Profile.LOSS_HORIZON_MS + 3000L);
                    }
                } catch (RuntimeException e) {
                    observations.notes.add("ending the traffic: " + e.getMessage());
                }
            }
            if (monitor != null) {
                monitor.stop();
                try {
                    monitor.drain();
                    if (!run.stopRequested) {
                        monitor.sample();
                    }
                } catch (RuntimeException e) {
                    observations.notes.add("last look: " + e.getMessage());
                }
            }
            if (cluster != null) {
                log.accept("[soak] " + RunState.clock(run.micros()) + " removing the cluster");
                try {
                    cluster.close();
                } catch (RuntimeException e) {
                    observations.notes.add("cleanup: " + e.getMessage());
                }
            }
        }
        observations.ledger.settleTails(Long.MAX_VALUE / 4);
        List<SoakData.KindInfo> kinds = Arrays.stream(FaultKind.values())
            .map(k -> new SoakData.KindInfo(k.id(), k.nodeScoped(), k.description())).toList();
        SoakData.Meta meta = new SoakData.Meta(profile.id(), options.nodes(), options.duration().toSeconds(),
            options.seed(), startedAt, run.micros() / 1e6, setupSeconds, interrupted, options.command(),
            GitCommit.describe(), description, MachineDescription.describe(), Profile.PROBES_PER_SECOND,
            profile.settleSeconds, Profile.STALL_MS, Profile.LOSS_HORIZON_MS, profile.sampleSeconds,
            profile.warmupSeconds, profile.slopeMinimumSpan.toSeconds(), trafficStart,
            trafficEnd == 0 ? run.micros() : trafficEnd, ticks, kinds);
        return collect(meta, faults, observations, cpu);
    }

    private static SoakData collect(SoakData.Meta meta, List<FaultRecord> faults, Observations observations,
        List<CpuFigure> cpu) {
        ProbeLedger ledger = observations.ledger;
        List<SoakData.PairRow> pairs = new ArrayList<>();
        ledger.pairs().forEach((pair, t) -> pairs.add(new SoakData.PairRow(pair.from(), pair.to(), t.received, t.lost,
            t.duplicated, t.reordered, t.late, percentile(t.latency, 50), percentile(t.latency, 99),
            t.latency.getTotalCount() == 0 ? 0 : t.latency.getMaxValue())));
        List<SoakData.SecondRow> timeline = new ArrayList<>();
        ledger.seconds().forEach((second, c) -> timeline.add(new SoakData.SecondRow(second, c[ProbeLedger.RECEIVED],
            c[ProbeLedger.LOST], c[ProbeLedger.DUPLICATED], c[ProbeLedger.REORDERED])));
        List<SoakData.LatencyRow> latency = new ArrayList<>();
        ledger.latencyWindows().forEach((window, h) -> latency.add(new SoakData.LatencyRow(
            window * ProbeLedger.LATENCY_WINDOW_SECONDS, h.getTotalCount(), percentile(h, 50), percentile(h, 99),
            h.getMaxValue())));
        Histogram all = ProbeLedger.newHistogram();
        ledger.pairs().values().forEach(t -> all.add(t.latency));
        SoakData.LatencyRow overall = new SoakData.LatencyRow(-1, all.getTotalCount(), percentile(all, 50),
            percentile(all, 99), all.getTotalCount() == 0 ? 0 : all.getMaxValue());
        List<FaultRecord> sorted = new ArrayList<>(faults);
        sorted.sort(Comparator.comparingLong(FaultRecord::startMicros));
        return new SoakData(meta, sorted, ledger.losses(), pairs, timeline, latency, overall,
            ledger.tcpEvents(),
            ledger.badProbes(), ledger.agentErrors(), List.copyOf(observations.resources),
            List.copyOf(observations.counters), Map.copyOf(observations.podUdp), observations.audit.findings(),
            observations.audit.checks(), List.copyOf(observations.exits), List.copyOf(observations.bursts),
            List.copyOf(observations.crafted), List.copyOf(cpu), List.copyOf(observations.machineStalls),
            List.copyOf(observations.notes));
    }

    private static long percentile(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile);
    }

    private static void join(Thread thread, long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
