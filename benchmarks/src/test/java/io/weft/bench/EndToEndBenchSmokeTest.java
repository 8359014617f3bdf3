package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.reports.RenderReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI smoke of {@code ./weft bench}: the harness with one round of one-second measurements over host-gw and weft, then
 * the report rendered from its file. Checks that every metric came out positive; never checks how fast anything is.
 */
class EndToEndBenchSmokeTest {
    private static final Set<Metric> LOSSES =
        Set.of(Metric.UDP_64B_DROPPED_BY_RECEIVER, Metric.UDP_64B_LOST_ON_THE_WAY);
    @TempDir
    Path dir;

    @Test
    void shouldMeasureEveryMetricPositiveAndRenderAReportWhenRunBriefly() throws Exception {
        Optional<String> cause = EndToEndBench.unavailabilityCause();
        assumeTrue(cause.isEmpty(), () -> "end-to-end harness cannot run here: " + cause.orElse(""));
        Path output = dir.resolve("results").resolve("e2e.json");
        BenchOptions options = BenchOptions.parse(new String[] {"--rounds", "1", "--seconds", "1",
            "--warmup-seconds", "1", "--variants", "host-gw,weft", "--out", output.toString()});

        ResultFile results = EndToEndBench.run(options, "EndToEndBenchSmokeTest", message ->
            System.out.println("[bench smoke] " + message));

        JsonNode root = new ObjectMapper().readTree(output.toFile());
        assertThat(root.path("errors")).as("failed variant runs: %s", root.path("errors")).isEmpty();
        assertThat(results.errorCount()).isZero();
        for (String key : List.of("nproc", "kernel", "date", "cpuModel", "commandLine")) {
            assertThat(root.path("machine").path(key).asText()).as("machine.%s", key).isNotBlank();
        }
        for (String variant : List.of("host-gw", "weft")) {
            for (Metric metric : Metric.values()) {
                if (metric == Metric.DATAPLANE_CPU_PER_GB && !"weft".equals(variant)) {
                    continue;
                }
                List<JsonNode> values = new ArrayList<>();
                root.path("results").forEach(r -> {
                    if (variant.equals(r.path("variant").asText()) && metric.key().equals(r.path("metric").asText())) {
                        values.add(r);
                    }
                });
                assertThat(values).as("%s %s", variant, metric.key()).hasSize(1);
                if (LOSSES.contains(metric)) {
                    // Where a loss happened: none at all is a fine outcome, and the rest can come out a little
                    // negative (see Metric); what is checked is that it was measured, and not as nonsense.
                    assertThat(values.get(0).path("value").asDouble()).as("%s %s", variant, metric.key())
                        .isFinite().isGreaterThan(-1000);
                } else {
                    assertThat(values.get(0).path("value").asDouble()).as("%s %s", variant, metric.key())
                        .isPositive();
                }
                assertThat(values.get(0).path("unit").asText()).isEqualTo(metric.unit());
            }
        }

        RenderReport.Rendered rendered = RenderReport.render(output, null, null, dir.resolve("report"));
        assertThat(rendered.report()).isRegularFile();
        assertThat(rendered.plots()).isNotEmpty();
        for (Path plot : rendered.plots()) {
            assertThat(Files.size(plot)).as("%s", plot).isPositive();
        }
    }
}
