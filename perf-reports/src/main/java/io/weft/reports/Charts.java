package io.weft.reports;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.DoubleUnaryOperator;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The report's plots as PNG (XChart, headless): grouped bars of the medians, one group per metric, one bar per
 * variant. A chart is written only when at least one of its metrics was measured.
 */
final class Charts {
    static final int WIDTH = 900;
    static final int HEIGHT = 500;

    /**
     * One chart: file name, title, axis and the number format of its values, and the metrics it groups (each with
     * a scale to the chart's unit).
     */
    record Spec(String file, String title, String yAxis, String decimalPattern, List<String> metrics,
                List<String> groups, List<DoubleUnaryOperator> scales) {
    }

    private Charts() {
    }

    /** Writes every chart that has data into {@code directory}; returns the files written, in report order. */
    static List<Path> write(Summary summary, Path directory) {
        List<Path> written = new ArrayList<>();
        for (Spec spec : specs()) {
            if (spec.metrics().stream().anyMatch(m -> !summary.variants(m).isEmpty())) {
                written.add(write(spec, summary, directory));
            }
        }
        return written;
    }

    static List<Spec> specs() {
        DoubleUnaryOperator same = DoubleUnaryOperator.identity();
        DoubleUnaryOperator msToUs = ms -> ms * 1000;
        return List.of(
            new Spec("throughput.png", "TCP throughput, pod to pod across nodes (median)", "Gbit/s", "#,##0.##",
                List.of(MetricInfo.TCP_1_STREAM, MetricInfo.TCP_4_STREAMS), List.of("1 stream", "4 streams"),
                List.of(same, same)),
            new Spec("packets.png", "64-byte UDP, pod to pod across nodes (median)", "packets/s", "#,##0",
                List.of(MetricInfo.UDP_64B_DELIVERED, MetricInfo.UDP_64B_SENT), List.of("delivered", "sent"),
                List.of(same, same)),
            new Spec("latency.png", "Latency percentiles, pod to pod across nodes (median over rounds)", "microseconds",
                "#,##0",
                List.of(MetricInfo.PING_P50, MetricInfo.PING_P99, MetricInfo.RR_P50, MetricInfo.RR_P99),
                List.of("ping p50", "ping p99", "TCP req/resp p50", "TCP req/resp p99"),
                List.of(msToUs, msToUs, same, same)),
            new Spec("cpu.png", "weftd CPU time per GB moved (TCP 1 stream, median)", "CPU seconds per GB", "#,##0.##",
                List.of(MetricInfo.DATAPLANE_CPU_PER_GB), List.of("both weftd processes"), List.of(same)));
    }

    private static Path write(Spec spec, Summary summary, Path directory) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(spec.title())
            .yAxisTitle(spec.yAxis()).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        // Values on the bars: the slow variants' bars are too short to read off the axis.
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsPosition(1.0);
        chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
        chart.getStyler().setLabelsFontColor(Color.BLACK);
        chart.getStyler().setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        chart.getStyler().setYAxisDecimalPattern(spec.decimalPattern());
        for (String variant : summary.variants()) {
            List<Double> values = new ArrayList<>();
            boolean any = false;
            for (int i = 0; i < spec.metrics().size(); i++) {
                OptionalDouble median = summary.median(spec.metrics().get(i), variant);
                any |= median.isPresent();
                values.add(median.isPresent() ? spec.scales().get(i).applyAsDouble(median.getAsDouble()) : 0.0);
            }
            if (any) {
                chart.addSeries(variant, spec.groups(), values);
            }
        }
        Path file = directory.resolve(spec.file());
        try {
            Files.createDirectories(directory);
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }
}
