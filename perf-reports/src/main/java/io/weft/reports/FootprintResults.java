package io.weft.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What issue 21's footprint targets are judged on, from a {@code ./weft bench --footprint} result file (benchmarks'
 * {@code Footprint}), of its option set as shipped only: every weftd's RSS 10 s after start and at most under one TCP
 * stream, each start to forwarding, each weftd's CPU while 64-byte UDP datagrams go through it at a fixed rate each
 * way, and what the blocking relay measured beside it spent per packet. Lists are empty where the file has no such
 * figure (an older file, or a phase that was skipped).
 */
record FootprintResults(String date, List<Double> rssAtRestMiB, List<Double> rssUnderLoadMiB,
                        List<Double> startToForwardingMs, int udpPacketsPerSecondEachWay,
                        List<Double> cpuPercentUdpEachWay, List<Double> relayMicrosecondsPerPacket) {
    static final String SHIPPED = "shipped";
    private static final double KIB_PER_MIB = 1024;

    static FootprintResults read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.path("results").isArray()) {
            throw new IllegalArgumentException(file + " is not a footprint result file (no \"results\" array)");
        }
        List<Double> atRest = new ArrayList<>();
        List<Double> underLoad = new ArrayList<>();
        List<Double> starts = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> relay = new ArrayList<>();
        int udpRate = 0;
        for (JsonNode round : root.path("results")) {
            if (!SHIPPED.equals(round.path("set").asText())) {
                continue;
            }
            round.path("idle").forEach(weftd -> atRest.add(weftd.path("rssKb").asDouble() / KIB_PER_MIB));
            round.path("underLoad").forEach(weftd -> underLoad.add(weftd.path("rssKb").asDouble() / KIB_PER_MIB));
            round.path("starts").forEach(start -> starts.add(start.path("startToForwardingMs").asDouble()));
            for (JsonNode phase : round.path("lowRate")) {
                if (phase.has("udpPacketsPerSecondEachWay")) {
                    udpRate = phase.path("udpPacketsPerSecondEachWay").asInt();
                    phase.path("weftdPercentOfOneCore").forEach(percent -> cpu.add(percent.asDouble()));
                } else if (phase.has("relayMicrosecondsPerPacket")) {
                    relay.add(phase.path("relayMicrosecondsPerPacket").asDouble());
                }
            }
        }
        return new FootprintResults(root.path("machine").path("date").asText(""), atRest, underLoad, starts, udpRate,
            cpu, relay);
    }
}
