package io.weft.testbed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The end summary of an {@code iperf3 -J} client run. TCP: bits/s the receiver counted, and sender retransmits. UDP:
 * datagrams the client sent ("packets"), those the server saw lost, jitter; packet fields are 0 for TCP.
 */
public record Iperf3Result(String protocol, double seconds, double sentBitsPerSecond, double receivedBitsPerSecond,
                           long retransmits, long packets, long lostPackets, double jitterMs) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Parses iperf3's JSON; throws when it reports an error (iperf3 3.12 with -J exits 0 even then). */
    public static Iperf3Result parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("iperf3 output is not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("iperf3 output is not a JSON object: " + json);
        }
        if (root.hasNonNull("error")) {
            throw new IllegalArgumentException("iperf3 error: " + root.get("error").asText());
        }
        String protocol = root.path("start").path("test_start").path("protocol").asText("TCP");
        JsonNode end = root.path("end");
        JsonNode sent = require(end, "sum_sent");
        if ("UDP".equals(protocol)) {
            // The server's view: iperf3 3.12 puts it in both "sum" and "sum_received"; older ones only in "sum".
            JsonNode received = end.has("sum_received") ? end.get("sum_received") : require(end, "sum");
            return new Iperf3Result(protocol, received.path("seconds").asDouble(),
                sent.path("bits_per_second").asDouble(), received.path("bits_per_second").asDouble(), 0,
                received.path("packets").asLong(), received.path("lost_packets").asLong(),
                received.path("jitter_ms").asDouble());
        }
        JsonNode received = require(end, "sum_received");
        return new Iperf3Result(protocol, received.path("seconds").asDouble(), sent.path("bits_per_second").asDouble(),
            received.path("bits_per_second").asDouble(), sent.path("retransmits").asLong(), 0, 0, 0.0);
    }

    /** UDP datagrams that arrived: sent minus lost. */
    public long receivedPackets() {
        return packets - lostPackets;
    }

    public double receivedGbitsPerSecond() {
        return receivedBitsPerSecond / 1e9;
    }

    private static JsonNode require(JsonNode end, String field) {
        JsonNode node = end.get(field);
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("iperf3 JSON has no end." + field);
        }
        return node;
    }
}
