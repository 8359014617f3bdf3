package io.weft.soak;

import io.weft.soak.cluster.Agent;
import io.weft.soak.cluster.ClusterNode;
import io.weft.testbed.ProcessSample;
import io.weft.soak.cluster.SoakCluster;
import io.weft.soak.observe.SoakData.CpuFigure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU over a phase: each weftd, all agents together, and the whole machine ({@code /proc/stat}, everyone's work
 * included: others may be building beside the soak), as a share of one core.
 */
final class CpuMeter {
    private final SoakCluster cluster;
    private final Mesh mesh;
    private final long ticksPerSecond;
    private final Map<String, Long> start = new LinkedHashMap<>();
    private long startNanos;

    CpuMeter(SoakCluster cluster, Mesh mesh, long ticksPerSecond) {
        this.cluster = cluster;
        this.mesh = mesh;
        this.ticksPerSecond = ticksPerSecond;
    }

    void begin() {
        start.clear();
        start.putAll(read());
        startNanos = System.nanoTime();
    }

    List<CpuFigure> end(String phase) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        List<CpuFigure> figures = new ArrayList<>();
        read().forEach((what, ticks) -> {
            Long before = start.get(what);
            if (before != null && ticks >= before) {
                figures.add(new CpuFigure(phase, what, 100.0 * (ticks - before) / ticksPerSecond / seconds, seconds));
            }
        });
        return figures;
    }

    private Map<String, Long> read() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        for (ClusterNode node : cluster.nodes()) {
            cluster.sampleWeftd(node).ifPresent(s -> ticks.put("weftd " + node.name() + " (pid " + s.pid() + ")",
                s.cpuTicks()));
        }
        long weftd = cluster.nodes().stream().mapToLong(n -> cluster.sampleWeftd(n).map(ProcessSample::cpuTicks)
            .orElse(0L)).sum();
        ticks.put("weftd, all together", weftd);
        long agents = 0;
        for (Agent agent : mesh.agents().values()) {
            agents += Math.max(0, agent.cpuTicks());
        }
        if (!mesh.agents().isEmpty()) {
            ticks.put("pod agents, all together", agents);
        }
        ticks.put("machine, every process", machineBusyTicks());
        return ticks;
    }

    /** Busy ticks of all CPUs from {@code /proc/stat}: user + nice + system + irq + softirq + steal. */
    static long machineBusyTicks() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII).get(0);
            String[] f = line.trim().split("\\s+");
            return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                + Long.parseLong(f[7]) + Long.parseLong(f[8]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** {@code getconf CLK_TCK}: the unit of /proc's CPU times. */
    static long clockTicksPerSecond() {
        try {
            Process process = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return process.waitFor() == 0 ? Long.parseLong(output) : 100;
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
