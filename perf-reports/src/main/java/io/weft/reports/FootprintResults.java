package io.weft.reports;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What issue 21's footprint targets are judged on, from a {@code ./weft bench --footprint} result file (benchmarks'
 * {@code Footprint}), of weftd as shipped only (the set named "shipped" with no option, argument or jar of its own):
 * every weftd's RSS 10 s after start and at most under one TCP stream, each start to forwarding on that jar, each
 * weftd's CPU while 64-byte UDP datagrams go through it at {@code udpPacketsPerSecondEachWay} each way (beside the
 * pings of that phase), and what the blocking relay measured beside it spent per packet. Lists are empty where the
 * file has no such figure (an older file, a phase skipped); rounds that failed are counted, not read.
 *
 * @param udpPacketsPerSecondEachWay the UDP phase's rate, 0 without one, -1 when rounds ran it at different rates
 * @param pingsPerSecondInUdpPhase   the pings that went through beside the UDP datagrams, a second, over the rounds
 */
record FootprintResults(String date, int failedRounds, List<Double> rssAtRestMb, List<Double> rssUnderLoadMb,
                        List<Double> startToForwardingMs, int udpPacketsPerSecondEachWay,
                        double pingsPerSecondInUdpPhase, List<Double> cpuPercentUdpEachWay,
                        List<Double> relayMicrosecondsPerPacket) {
    static final String SHIPPED = "shipped";
    private static final double BYTES_PER_KIB = 1024;

    static FootprintResults read(Path file) {
        JsonNode root = ResultFiles.readJson(file);
        if (root == null || !root.path("results").isArray()) {
            throw new IllegalArgumentException(file + " is not a footprint result file (no \"results\" array)");
        }
        List<Double> atRest = new ArrayList<>();
        List<Double> underLoad = new ArrayList<>();
        List<Double> starts = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> relay = new ArrayList<>();
        List<Double> pings = new ArrayList<>();
        int udpRate = 0;
        int failed = 0;
        for (JsonNode round : root.path("results")) {
            if (!isShipped(round)) {
                continue;
            }
            if (round.has("error")) {
                failed++;
                continue;
            }
            round.path("idle").forEach(weftd -> addMb(atRest, weftd.path("rssKb")));
            round.path("underLoad").forEach(weftd -> addMb(underLoad, weftd.path("rssKb")));
            for (JsonNode start : round.path("starts")) {
                if (!start.has("jar") && start.path("startToForwardingMs").isNumber()) {
                    starts.add(start.path("startToForwardingMs").asDouble());
                }
            }
            for (JsonNode phase : round.path("lowRate")) {
                if (phase.path("udpPacketsPerSecondEachWay").isNumber()) {
                    int rate = phase.path("udpPacketsPerSecondEachWay").asInt();
                    udpRate = udpRate == 0 || udpRate == rate ? rate : -1;
                    phase.path("weftdPercentOfOneCore").forEach(percent -> cpu.add(percent.asDouble()));
                    if (phase.path("pingsPerSecond").isNumber()) {
                        pings.add(phase.path("pingsPerSecond").asDouble());
                    }
                } else if (phase.path("relayMicrosecondsPerPacket").isNumber()) {
                    relay.add(phase.path("relayMicrosecondsPerPacket").asDouble());
                }
            }
        }
        return new FootprintResults(root.path("machine").path("date").asText(""), failed, atRest, underLoad, starts,
            udpRate, pings.stream().mapToDouble(Double::doubleValue).average().orElse(0), cpu, relay);
    }

    /** The set as shipped: so named, and with no JVM option, weftd argument or jar that would make it another. */
    private static boolean isShipped(JsonNode round) {
        return SHIPPED.equals(round.path("set").asText()) && round.path("jvmOptions").isEmpty()
            && round.path("weftdArgs").isEmpty() && !round.has("jar");
    }

    /** The targets are in MB: a {@code rssKb} of /proc (KiB) in millions of bytes. */
    private static void addMb(List<Double> into, JsonNode rssKib) {
        if (rssKib.isNumber()) {
            into.add(rssKib.asDouble() * BYTES_PER_KIB / 1e6);
        }
    }
}
