package io.weft.reports;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The end-to-end harness's result file ({@code "format": "weft-e2e/1"}): machine info, settings, one entry per
 * (variant, round, metric) and the variant runs that failed.
 */
record EndToEndResults(Map<String, String> machine, Map<String, String> settings, List<String> variants,
                       List<Result> results, List<String> errors) {
    static final String FORMAT = "weft-e2e/1";

    /** One measured value. */
    record Result(String variant, int round, String metric, double value, String unit) {
    }

    EndToEndResults {
        machine = Collections.unmodifiableMap(new LinkedHashMap<>(machine));
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        variants = List.copyOf(variants);
        results = List.copyOf(results);
        errors = List.copyOf(errors);
    }

    static EndToEndResults read(Path file) {
        JsonNode root = ResultFiles.readJson(file);
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException(file + " is not a " + FORMAT + " result file");
        }
        List<Result> results = new ArrayList<>();
        List<String> variants = new ArrayList<>();
        root.path("settings").path("variants").forEach(v -> variants.add(v.asText()));
        for (JsonNode result : root.path("results")) {
            String variant = result.path("variant").asText();
            if (!variants.contains(variant)) {
                variants.add(variant);
            }
            results.add(new Result(variant, result.path("round").asInt(), result.path("metric").asText(),
                result.path("value").asDouble(Double.NaN), result.path("unit").asText("")));
        }
        List<String> errors = new ArrayList<>();
        for (JsonNode error : root.path("errors")) {
            errors.add(error.path("variant").asText() + " round " + error.path("round").asInt() + ": "
                + error.path("message").asText());
        }
        return new EndToEndResults(texts(root.path("machine")), texts(root.path("settings")), variants, results,
            errors);
    }

    private static Map<String, String> texts(JsonNode object) {
        Map<String, String> texts = new LinkedHashMap<>();
        object.properties().forEach(field -> texts.put(field.getKey(),
            field.getValue().isValueNode() ? field.getValue().asText() : field.getValue().toString()));
        return texts;
    }
}
