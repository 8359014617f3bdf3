package io.weft.reports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders the end-to-end result file and (optionally) JMH's JSON into {@code REPORT.md} plus PNG plots in one
 * directory. Reads result files only.
 * <pre>
 * java -Djava.awt.headless=true -jar perf-reports.jar [--e2e FILE] [--jmh FILE|none] [--footprint FILE|none]
 *     [--out DIR]
 * </pre>
 * Defaults: {@code perf-reports/results/e2e.json}, {@code perf-reports/results/jmh.json} and
 * {@code perf-reports/results/footprint-shipped.json} when they exist, and {@code perf-reports}.
 */
public final class RenderReport {
    static final String REPORT = "REPORT.md";
    static final Path DEFAULT_E2E = Path.of("perf-reports", "results", "e2e.json");
    static final Path DEFAULT_JMH = Path.of("perf-reports", "results", "jmh.json");
    static final Path DEFAULT_FOOTPRINT = Path.of("perf-reports", "results", "footprint-shipped.json");
    static final Path DEFAULT_OUT = Path.of("perf-reports");
    private static final String USAGE =
        "usage: RenderReport [--e2e FILE] [--jmh FILE|none] [--footprint FILE|none] [--out DIR]";

    /** What a rendering wrote and found. */
    public record Rendered(Path report, List<Path> plots, int targetsPassed, int targetsMissed) {
    }

    private RenderReport() {
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        Path e2e = DEFAULT_E2E;
        Path jmh = null;
        boolean jmhGiven = false;
        Path footprint = null;
        boolean footprintGiven = false;
        Path out = DEFAULT_OUT;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                fail(args[i] + " needs a value\n" + USAGE);
            }
            switch (args[i]) {
                case "--e2e" -> e2e = Path.of(args[i + 1]);
                case "--jmh" -> {
                    jmh = "none".equals(args[i + 1]) ? null : Path.of(args[i + 1]);
                    jmhGiven = true;
                }
                case "--footprint" -> {
                    footprint = "none".equals(args[i + 1]) ? null : Path.of(args[i + 1]);
                    footprintGiven = true;
                }
                case "--out" -> out = Path.of(args[i + 1]);
                default -> fail("unknown flag " + args[i] + "\n" + USAGE);
            }
        }
        if (!jmhGiven && Files.isRegularFile(DEFAULT_JMH)) {
            jmh = DEFAULT_JMH;
        }
        if (!footprintGiven && Files.isRegularFile(DEFAULT_FOOTPRINT)) {
            footprint = DEFAULT_FOOTPRINT;
        }
        Rendered rendered = render(e2e, jmh, footprint, out);
        System.out.println("[report] " + rendered.report() + " and " + rendered.plots().size() + " plots; targets: "
            + rendered.targetsPassed() + " pass, " + rendered.targetsMissed() + " miss");
    }

    /** Renders {@code e2e} (and {@code jmh} and {@code footprint}, either may be null) into {@code outDir}. */
    public static Rendered render(Path e2e, Path jmh, Path footprint, Path outDir) {
        System.setProperty("java.awt.headless", "true");
        EndToEndResults results = EndToEndResults.read(e2e);
        List<JmhResult> jmhResults = jmh == null ? List.of() : JmhResult.read(jmh);
        Summary summary = Summary.of(results);
        List<Target.Verdict> verdicts = new ArrayList<>();
        Target.ISSUE_4.forEach(target -> verdicts.add(target.evaluate(summary)));
        verdicts.add(Target.evaluateAllocation(jmhResults));
        List<Target.Verdict> authVerdicts = Target.ISSUE_20.stream().map(target -> target.evaluate(summary)).toList();
        List<Target.Verdict> issue21Verdicts = Target.ISSUE_21.stream().map(target -> target.evaluate(summary))
            .toList();
        List<Path> plots = Charts.write(summary, outDir);
        List<String> sources = new ArrayList<>(List.of(relative(outDir, e2e)));
        if (jmh != null) {
            sources.add(relative(outDir, jmh));
        }
        MarkdownReport.Footprint footprintSection = null;
        List<Target.Verdict> footprintVerdicts = List.of();
        if (footprint != null) {
            FootprintResults footprintResults = FootprintResults.read(footprint);
            footprintVerdicts = FootprintTargets.evaluate(footprintResults);
            footprintSection = new MarkdownReport.Footprint(relative(outDir, footprint), footprintResults,
                footprintVerdicts);
        }
        String markdown = MarkdownReport.render(results, summary, jmhResults, verdicts, authVerdicts, issue21Verdicts,
            plots.stream().map(p -> outDir.toAbsolutePath().relativize(p.toAbsolutePath())).toList(), sources,
            footprintSection);
        Path report = outDir.resolve(REPORT);
        try {
            Files.createDirectories(outDir);
            Files.writeString(report, markdown);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + report + ": " + e.getMessage(), e);
        }
        List<Target.Verdict> all = new ArrayList<>(verdicts);
        all.addAll(authVerdicts);
        all.addAll(issue21Verdicts);
        all.addAll(footprintVerdicts);
        int passed = (int) all.stream().filter(v -> v.status() == Target.Status.PASS).count();
        int missed = (int) all.stream().filter(v -> v.status() == Target.Status.MISS).count();
        return new Rendered(report, plots, passed, missed);
    }

    /** {@code file} as the report names it: relative to the report's directory, "../" where need be. */
    private static String relative(Path dir, Path file) {
        return dir.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize()).toString();
    }

    private static void fail(String message) {
        System.err.println("RenderReport: " + message);
        System.exit(2);
    }
}
