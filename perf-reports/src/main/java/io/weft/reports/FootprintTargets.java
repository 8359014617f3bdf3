package io.weft.reports;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Issue 21's targets for a weftd's footprint and its CPU at low rates, judged on a {@link FootprintResults}: absolute
 * bounds, not ratios. Memory is judged on the largest weftd, since every node pays it; start and CPU on the median,
 * as the harness's targets are.
 */
final class FootprintTargets {
    static final int RSS_AT_REST_MB = 64;
    static final int RSS_UNDER_LOAD_MB = 80;
    static final int START_TO_FORWARDING_MS = 500;
    static final int UDP_PACKETS_PER_SECOND_EACH_WAY = 1000;
    static final int CPU_PERCENT_AT_LOW_RATE = 3;

    private FootprintTargets() {
    }

    static List<Target.Verdict> evaluate(FootprintResults results) {
        List<Target.Verdict> verdicts = new ArrayList<>();
        verdicts.add(largest("RSS at rest (10 s after start): every weftd <= " + RSS_AT_REST_MB + " MB",
            results.rssAtRestMb(), RSS_AT_REST_MB, "MB"));
        verdicts.add(largest("RSS at most under one TCP stream: every weftd <= " + RSS_UNDER_LOAD_MB + " MB",
            results.rssUnderLoadMb(), RSS_UNDER_LOAD_MB, "MB"));
        verdicts.add(median("start to forwarding (a restarted weftd to its pod's first echo reply) <= "
            + START_TO_FORWARDING_MS + " ms", results.startToForwardingMs(), START_TO_FORWARDING_MS, "ms"));
        String cpu = "CPU with " + Format.number(UDP_PACKETS_PER_SECOND_EACH_WAY) + " UDP packets/s each way: weftd <= "
            + CPU_PERCENT_AT_LOW_RATE + " % of a core";
        verdicts.add(results.udpPacketsPerSecondEachWay() == UDP_PACKETS_PER_SECOND_EACH_WAY
            ? median(cpu, results.cpuPercentUdpEachWay(), CPU_PERCENT_AT_LOW_RATE, "%")
            : new Target.Verdict(cpu, Target.Status.NOT_MEASURED, results.udpPacketsPerSecondEachWay() == 0
                ? "no UDP phase in the footprint results" : "the UDP phase ran at another rate"));
        return verdicts;
    }

    /** The packets a second that went through each weftd in the UDP phase: the datagrams and the pings, both ways. */
    static double packetsPerSecondThroughEachWeftd(FootprintResults results) {
        return 2.0 * (results.udpPacketsPerSecondEachWay() + results.pingsPerSecondInUdpPhase());
    }

    /**
     * What the blocking relay beside the low-rate phase would spend on a weftd's packets of that phase, as a
     * percentage of one core, sorted: a reference for the floor of {@link #CPU_PERCENT_AT_LOW_RATE}, not a proof of it.
     */
    static List<Double> relayPercentForTheSamePackets(FootprintResults results) {
        if (results.udpPacketsPerSecondEachWay() != UDP_PACKETS_PER_SECOND_EACH_WAY) {
            return List.of(); // No CPU figure to set it beside.
        }
        double packetsPerSecond = packetsPerSecondThroughEachWeftd(results);
        return results.relayMicrosecondsPerPacket().stream().map(us -> us * packetsPerSecond / 1e6 * 100).sorted()
            .toList();
    }

    private static Target.Verdict largest(String description, List<Double> values, double limit, String unit) {
        if (values.isEmpty()) {
            return notMeasured(description);
        }
        double max = Collections.max(values);
        return new Target.Verdict(description, max <= limit ? Target.Status.PASS : Target.Status.MISS,
            String.format(Locale.ROOT, "%s %s at most (median %s; %d weftds)", Format.number(max), unit,
                Format.number(medianOf(values)), values.size()));
    }

    private static Target.Verdict median(String description, List<Double> values, double limit, String unit) {
        if (values.isEmpty()) {
            return notMeasured(description);
        }
        double median = medianOf(values);
        return new Target.Verdict(description, median <= limit ? Target.Status.PASS : Target.Status.MISS,
            String.format(Locale.ROOT, "%s %s median (%s-%s over %d)", Format.number(median), unit,
                Format.number(Collections.min(values)), Format.number(Collections.max(values)), values.size()));
    }

    private static Target.Verdict notMeasured(String description) {
        return new Target.Verdict(description, Target.Status.NOT_MEASURED, "not in the footprint results");
    }

    private static double medianOf(List<Double> values) {
        return Summary.median(values.stream().mapToDouble(Double::doubleValue).sorted().toArray());
    }
}
