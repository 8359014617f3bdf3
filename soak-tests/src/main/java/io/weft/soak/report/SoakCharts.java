package io.weft.soak.report;

import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.ResourceSample;
import io.weft.soak.observe.SoakData;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's plots (XChart, headless PNG): loss and latency over time with the faults marked, recovery per kind,
 * and each node's weftd memory, threads and fds over time.
 */
final class SoakCharts {
    private static final int WIDTH = 1100;
    private static final int HEIGHT = 480;

    private SoakCharts() {
    }

    static List<Path> write(SoakData data, Attribution attribution, ResourceTrends trends, Path directory) {
        // ImageIO's file cache registers a shutdown hook, refused while Ctrl-C's shutdown writes the report.
        ImageIO.setUseCache(false);
        List<Path> files = new ArrayList<>();
        files.add(loss(data, directory.resolve("loss.png")));
        files.add(latency(data, directory.resolve("latency.png")));
        files.add(recovery(attribution, directory.resolve("recovery.png")));
        files.add(resource(data, trends, directory.resolve("rss.png"), "weftd resident memory", "MiB",
            s -> s.rssKb() / 1024.0));
        files.add(resource(data, trends, directory.resolve("heap.png"), "weftd heap in use (perf data)", "MiB",
            s -> s.heapUsedBytes() / 1024.0 / 1024.0));
        files.add(resource(data, trends, directory.resolve("threads.png"), "weftd threads", "threads",
            ResourceSample::threads));
        files.add(resource(data, trends, directory.resolve("fds.png"), "weftd open file descriptors", "fds",
            ResourceSample::fds));
        return files;
    }

    private static Path loss(SoakData data, Path file) {
        XYChart chart = xy("Probes lost per second, by send time (faults marked)", "probes lost");
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (SoakData.SecondRow row : data.timeline()) {
            x.add(minutes(row.second() * 1_000_000L));
            y.add((double) row.lost());
        }
        addLine(chart, "lost", x, y);
        markFaults(chart, data, y.stream().mapToDouble(Double::doubleValue).max().orElse(1));
        return save(chart, file);
    }

    private static Path latency(SoakData data, Path file) {
        XYChart chart = xy("One-way probe latency over every pair, per 10 s (faults marked)", "milliseconds");
        List<Double> x = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> max = new ArrayList<>();
        for (SoakData.LatencyRow row : data.latency()) {
            x.add(minutes(row.second() * 1_000_000L));
            p50.add(row.p50Micros() / 1000.0);
            p99.add(row.p99Micros() / 1000.0);
            max.add(row.maxMicros() / 1000.0);
        }
        addLine(chart, "p50", x, p50);
        addLine(chart, "p99", x, p99);
        addLine(chart, "max", x, max);
        markFaults(chart, data, max.stream().mapToDouble(Double::doubleValue).max().orElse(1));
        return save(chart, file);
    }

    private static Path recovery(Attribution attribution, Path file) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
            .title("Recovery per fault kind: fault start to a pair's last lost probe").yAxisTitle("milliseconds")
            .build();
        style(chart.getStyler());
        chart.getStyler().setXAxisLabelRotation(30);
        List<String> kinds = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> max = new ArrayList<>();
        for (Attribution.KindRecovery row : attribution.byKind()) {
            kinds.add(row.kind());
            p50.add((double) row.p50Millis());
            p99.add((double) row.p99Millis());
            max.add((double) row.maxMillis());
        }
        if (kinds.isEmpty()) {
            kinds.add("no fault cost a probe");
            p50.add(0.0);
            p99.add(0.0);
            max.add(0.0);
        }
        chart.addSeries("p50", kinds, p50);
        chart.addSeries("p99", kinds, p99);
        chart.addSeries("max", kinds, max);
        return save(chart, file);
    }

    private static Path resource(SoakData data, ResourceTrends trends, Path file, String title, String unit,
        ToDoubleFunction<ResourceSample> value) {
        XYChart chart = xy(title + " per node (a restart starts a new line)", unit);
        Map<String, List<List<ResourceSample>>> byNode = new TreeMap<>();
        trends.byProcess().values().forEach(samples -> byNode.computeIfAbsent(samples.get(0).node(),
            n -> new ArrayList<>()).add(samples));
        double top = 1;
        for (Map.Entry<String, List<List<ResourceSample>>> node : byNode.entrySet()) {
            int life = 0;
            for (List<ResourceSample> samples : node.getValue()) {
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (ResourceSample s : samples) {
                    x.add(minutes(s.micros()));
                    y.add(value.applyAsDouble(s));
                    top = Math.max(top, value.applyAsDouble(s));
                }
                addLine(chart, node.getKey() + (life++ == 0 ? "" : " #" + life), x, y);
            }
        }
        markFaults(chart, data, top);
        return save(chart, file);
    }

    private static XYChart xy(String title, String yAxis) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("minutes")
            .yAxisTitle(yAxis).build();
        style(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setXAxisDecimalPattern("0.0");
        return chart;
    }

    private static void style(Styler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
    }

    private static void addLine(XYChart chart, String name, List<Double> x, List<Double> y) {
        if (x.isEmpty()) {
            x = List.of(0.0);
            y = List.of(0.0);
        }
        XYSeries series = chart.addSeries(name, x, y);
        series.setMarker(SeriesMarkers.NONE);
    }

    /** A vertical line at each fault's start, labelled with its number (the report's fault table says which). */
    private static void markFaults(XYChart chart, SoakData data, double top) {
        for (FaultRecord fault : data.faults()) {
            double x = minutes(fault.startMicros());
            chart.addAnnotation(new AnnotationLine(x, true, false));
            chart.addAnnotation(new AnnotationText("#" + fault.index(), x, top, false));
        }
    }

    private static double minutes(long micros) {
        return micros / 60e6;
    }

    private static Path save(Chart<?, ?> chart, Path file) {
        try {
            Files.createDirectories(file.getParent());
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }
}
