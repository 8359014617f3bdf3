package io.weft.soak.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.weft.soak.observe.SoakData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Judges a soak's data and writes {@code REPORT.md}, the plots and {@code soak.json} (raw data and verdicts). */
public final class SoakReport {
    /** What the report found: the verdicts, and where it wrote. */
    public record Written(List<Verdicts.Verdict> verdicts, Path report, Path json, List<Path> plots) {
        public boolean passed() {
            return verdicts.stream().allMatch(Verdicts.Verdict::passed);
        }
    }

    /** The raw data and what the report made of it, as {@code soak.json} holds them. */
    public record Json(SoakData data, List<Verdicts.Verdict> verdicts, List<Attribution.KindRecovery> recovery) {
    }

    private SoakReport() {
    }

    /** The data of a {@code soak.json} written by {@link #write}: to judge and render a run again. */
    public static SoakData read(Path json) {
        try {
            return new ObjectMapper().readValue(json.toFile(), Json.class).data();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + json + ": " + e.getMessage(), e);
        }
    }

    public static Written write(SoakData data, Path directory) {
        Attribution attribution = new Attribution(data);
        TcpJudge tcp = new TcpJudge(data, attribution);
        ResourceTrends resources = new ResourceTrends(data);
        CounterReconciliation counters = new CounterReconciliation(data, attribution);
        List<Verdicts.Verdict> verdicts = Verdicts.judge(data, attribution, tcp, resources, counters);
        try {
            Files.createDirectories(directory);
            Path json = directory.resolve("soak.json");
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(),
                new Json(data, verdicts, attribution.byKind()));
            List<Path> plots = SoakCharts.write(data, attribution, resources, directory);
            Path report = directory.resolve("REPORT.md");
            Files.writeString(report, new MarkdownReport(data, attribution, tcp, resources, counters, verdicts)
                .render(plots), StandardCharsets.UTF_8);
            return new Written(verdicts, report, json, plots);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + directory, e);
        }
    }
}
