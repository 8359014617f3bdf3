package io.weft.reports;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark of a JMH JSON result file ({@code -rf json}): its score, and with {@code -prof gc} the bytes
 * allocated per operation ({@code gc.alloc.rate.norm}), NaN without the profiler.
 */
record JmhResult(String benchmark, String mode, Map<String, String> params, double score, double scoreError,
                 String unit, double allocatedBytesPerOp) {
    static final String ALLOC_NORM = "gc.alloc.rate.norm";

    JmhResult {
        params = Map.copyOf(params);
    }

    static List<JmhResult> read(Path file) {
        JsonNode root = ResultFiles.readJson(file);
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException(file + " is not a JMH JSON result file (an array)");
        }
        List<JmhResult> results = new ArrayList<>();
        for (JsonNode run : root) {
            Map<String, String> params = new LinkedHashMap<>();
            run.path("params").properties().forEach(p -> params.put(p.getKey(), p.getValue().asText()));
            JsonNode primary = run.path("primaryMetric");
            JsonNode alloc = run.path("secondaryMetrics").path(ALLOC_NORM);
            results.add(new JmhResult(run.path("benchmark").asText(), run.path("mode").asText(), params,
                primary.path("score").asDouble(Double.NaN), primary.path("scoreError").asDouble(Double.NaN),
                primary.path("scoreUnit").asText(), alloc.isMissingNode() ? Double.NaN
                    : alloc.path("score").asDouble(Double.NaN)));
        }
        return results;
    }

    /** {@code io.weft.routing.RouteTableLookupBenchmark.lookupHit} -> {@code RouteTableLookupBenchmark.lookupHit}. */
    String shortName() {
        int method = benchmark.lastIndexOf('.');
        int type = method < 0 ? -1 : benchmark.lastIndexOf('.', method - 1);
        return benchmark.substring(type + 1);
    }

    /** The parameters by name: {@code Map.copyOf} iterates in an order that changes from one JVM to the next. */
    String paramsText() {
        return params.isEmpty() ? "" : params.entrySet().stream().sorted(Map.Entry.comparingByKey())
            .map(e -> e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("");
    }
}
