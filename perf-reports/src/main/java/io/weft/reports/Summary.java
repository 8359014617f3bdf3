package io.weft.reports;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The harness results reduced to one number per (metric, variant): the median over rounds, with the range, and
 * ratios between variants as ratios of those medians.
 */
final class Summary {
    static final String VXLAN = "vxlan";
    static final String BASELINE = "weft-baseline";

    /** The rounds of one variant for one metric. */
    record Cell(double median, double min, double max, int rounds, String unit) {
    }

    private final List<String> variants;
    private final Map<String, Map<String, Cell>> cells = new LinkedHashMap<>();

    private Summary(List<String> variants) {
        this.variants = List.copyOf(variants);
    }

    static Summary of(EndToEndResults results) {
        Summary summary = new Summary(results.variants());
        Map<String, Map<String, List<EndToEndResults.Result>>> grouped = new LinkedHashMap<>();
        results.results().stream()
            .sorted(Comparator.comparingInt((EndToEndResults.Result r) -> MetricInfo.of(r.metric()).order()))
            .filter(r -> !Double.isNaN(r.value()))
            .forEach(r -> grouped.computeIfAbsent(r.metric(), m -> new LinkedHashMap<>())
                .computeIfAbsent(r.variant(), v -> new ArrayList<>()).add(r));
        grouped.forEach((metric, byVariant) -> byVariant.forEach((variant, rounds) -> {
            double[] values = rounds.stream().mapToDouble(EndToEndResults.Result::value).sorted().toArray();
            summary.cells.computeIfAbsent(metric, m -> new LinkedHashMap<>()).put(variant,
                new Cell(median(values), values[0], values[values.length - 1], values.length, rounds.get(0).unit()));
        }));
        return summary;
    }

    /** Median of sorted values: the middle one, or the mean of the two middle ones. */
    static double median(double[] sorted) {
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    List<String> variants() {
        return variants;
    }

    /** Metrics in catalogue order. */
    List<String> metrics() {
        return List.copyOf(cells.keySet());
    }

    /** The variants measured for {@code metric}, in run order. */
    List<String> variants(String metric) {
        Map<String, Cell> byVariant = cells.getOrDefault(metric, Map.of());
        return variants.stream().filter(byVariant::containsKey).toList();
    }

    Cell cell(String metric, String variant) {
        return cells.getOrDefault(metric, Map.of()).get(variant);
    }

    OptionalDouble median(String metric, String variant) {
        Cell cell = cell(metric, variant);
        return cell == null ? OptionalDouble.empty() : OptionalDouble.of(cell.median());
    }

    String unit(String metric) {
        return cells.getOrDefault(metric, Map.of()).values().stream().map(Cell::unit).findFirst().orElse("");
    }

    /** median(variant) / median(reference), empty when either is missing or the reference is 0. */
    OptionalDouble ratio(String metric, String variant, String reference) {
        OptionalDouble value = median(metric, variant);
        OptionalDouble base = median(metric, reference);
        if (value.isEmpty() || base.isEmpty() || base.getAsDouble() == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(value.getAsDouble() / base.getAsDouble());
    }
}
