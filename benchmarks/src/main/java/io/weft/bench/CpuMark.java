package io.weft.bench;

import io.weft.testbed.ProcReader;
import io.weft.testbed.ProcessSample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Some processes' CPU time at one moment, in all and per thread, so that what each spent from there on can be told
 * in all and by the kind of thread that spent it ({@link #threadKind}): weftd's lanes, the JIT, the collector.
 * Threads are told apart by id: one that started since counts from zero (HotSpot starts and stops compiler threads
 * as it goes), one that ended since takes what it spent after the mark with it.
 */
record CpuMark(long nanos, List<Long> pids, List<Long> ticks, List<Map<Long, Long>> threadTicks) {
    static CpuMark take(List<Long> pids) {
        List<Long> ticks = new ArrayList<>();
        List<Map<Long, Long>> threadTicks = new ArrayList<>();
        for (long pid : pids) {
            ticks.add(processTicks(pid));
            Map<Long, Long> threads = new HashMap<>();
            for (ProcReader.ThreadSample thread : threads(pid)) {
                threads.put(thread.tid(), thread.cpuTicks());
            }
            threadTicks.add(threads);
        }
        return new CpuMark(System.nanoTime(), List.copyOf(pids), ticks, threadTicks);
    }

    /** Each process's percent of one core since the mark, in all and by thread kind. */
    Map<String, Object> spentSince() {
        double seconds = (System.nanoTime() - nanos) / 1e9;
        double percentPerTick = 100.0 / ProcCpu.clockTicksPerSecond() / seconds;
        List<Double> percent = new ArrayList<>();
        List<Map<String, Double>> byThreads = new ArrayList<>();
        for (int i = 0; i < pids.size(); i++) {
            long pid = pids.get(i);
            percent.add((processTicks(pid) - ticks.get(i)) * percentPerTick);
            Map<Long, Long> was = threadTicks.get(i);
            Map<String, Double> kinds = new LinkedHashMap<>();
            for (ProcReader.ThreadSample thread : threads(pid)) {
                long spent = thread.cpuTicks() - was.getOrDefault(thread.tid(), 0L);
                kinds.merge(threadKind(thread.name()), spent * percentPerTick, Double::sum);
            }
            byThreads.add(kinds);
        }
        Map<String, Object> spent = new LinkedHashMap<>();
        spent.put("weftdPercentOfOneCore", percent);
        spent.put("weftdPercentOfOneCoreByThreads", byThreads);
        return spent;
    }

    /** What a weftd thread's name says it does: the lanes, the JIT's compilers, the collector, or the rest. */
    static String threadKind(String name) {
        if (name.startsWith(LaneSystemCalls.LANE_THREAD)) {
            return "lanes";
        }
        if (name.contains("CompilerThre")) {
            return "JIT compilers";
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.equals("VM Thread")) {
            return "collector and VM thread";
        }
        return "other threads";
    }

    private static long processTicks(long pid) {
        return ProcReader.sample(pid).map(ProcessSample::cpuTicks)
            .orElseThrow(() -> new IllegalStateException("pid " + pid + " is gone"));
    }

    private static List<ProcReader.ThreadSample> threads(long pid) {
        try {
            return ProcReader.threads(pid);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the threads of " + pid, e);
        }
    }
}
