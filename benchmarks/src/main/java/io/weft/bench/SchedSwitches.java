package io.weft.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who held each CPU when, from the scheduler's switches as {@code perf script -F comm,pid,tid,cpu,time,event} prints
 * the {@code sched:sched_switch} tracepoint: each switch ends the stretch of the task it switches away from, which
 * began at the switch before it on that CPU.
 */
final class SchedSwitches {
    /** "  weft-lane-0  4711/4712 [001] 20569.660477: sched:sched_switch: prev_comm=...". */
    private static final Pattern SWITCH = Pattern.compile(
        "^\\s*(.+?)\\s+(\\d+)/(\\d+)\\s+\\[(\\d+)]\\s+(\\d+)\\.(\\d{6}):\\s+sched:sched_switch:");

    /** A task on a CPU from {@code startUs} to {@code endUs} (the trace's clock, microseconds). */
    record Held(int cpu, long startUs, long endUs, long pid, String comm) {
    }

    private SchedSwitches() {
    }

    /** The stretches in {@code script}'s order; lines other than switches are skipped. */
    static List<Held> parse(String script) {
        List<Held> held = new ArrayList<>();
        Map<Integer, Long> lastSwitchUs = new HashMap<>();
        for (String line : script.split("\n")) {
            Matcher sw = SWITCH.matcher(line);
            if (!sw.find()) {
                continue;
            }
            int cpu = Integer.parseInt(sw.group(4));
            long us = Long.parseLong(sw.group(5)) * 1_000_000 + Long.parseLong(sw.group(6));
            Long start = lastSwitchUs.put(cpu, us);
            if (start != null) {
                held.add(new Held(cpu, start, us, Long.parseLong(sw.group(2)), sw.group(1)));
            }
        }
        return held;
    }
}
