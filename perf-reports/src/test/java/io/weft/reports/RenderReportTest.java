package io.weft.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderReportTest {
    @TempDir
    Path dir;

    @Test
    void shouldTakeMediansOverRoundsAndRatiosOfMediansWhenSummarized() throws IOException {
        Summary summary = Summary.of(EndToEndResults.read(e2e()));

        assertThat(summary.median("tcp_1_stream", "vxlan")).hasValue(9.0);
        assertThat(summary.median("udp_64b_delivered", "vxlan")).hasValue(110_000.0);
        assertThat(summary.cell("tcp_1_stream", "weft").min()).isEqualTo(6.3);
        assertThat(summary.cell("tcp_1_stream", "weft").max()).isEqualTo(7.2);
        assertThat(summary.ratio("tcp_1_stream", "weft", "vxlan").getAsDouble()).isCloseTo(7.0 / 9.0, within(1e-12));
        assertThat(summary.ratio("tcp_1_stream", "weft", "weft-baseline").getAsDouble()).isCloseTo(7.0, within(1e-12));
        assertThat(summary.ratio("dataplane_cpu_per_gb", "weft", "weft-baseline").getAsDouble())
            .isCloseTo(0.225, within(1e-12));
        assertThat(summary.ratio("dataplane_cpu_per_gb", "weft", "vxlan")).isEmpty();
        assertThat(summary.variants()).containsExactly("host-gw", "vxlan", "weft-baseline", "weft");
    }

    @Test
    void shouldPassOrMissEachTargetWhenItsRatioIsOnEitherSideOfTheLimit() throws IOException {
        Summary summary = Summary.of(EndToEndResults.read(e2e()));

        assertThat(Target.ISSUE_4.stream().map(t -> t.evaluate(summary).status()).toList()).containsExactly(
            Target.Status.PASS, // TCP 1 stream 7 / 9 = 0.78 >= 0.7
            Target.Status.MISS, // TCP 1 stream 7 / 1 = 7 < 8
            Target.Status.PASS, // UDP 110000 / 110000 = 1.0 >= 1.0
            Target.Status.MISS, // ping p50 0.08 / 0.05 = 1.6 > 1.5
            Target.Status.PASS); // CPU 0.9 / 4.0 = 0.225 <= 0.25
        assertThat(Target.ISSUE_4.get(0).evaluate(summary).measured()).isEqualTo("0.778x (7 Gbit/s vs 9 Gbit/s)");
    }

    @Test
    void shouldMissNoAllocationWhenOneBenchmarkAllocates() throws IOException {
        assertThat(Target.evaluateAllocation(JmhResult.read(jmh(0.0004, 0.002))).status())
            .isEqualTo(Target.Status.PASS);
        Target.Verdict verdict = Target.evaluateAllocation(JmhResult.read(jmh(0.0004, 24.0)));
        assertThat(verdict.status()).isEqualTo(Target.Status.MISS);
        assertThat(verdict.measured()).contains("24", "RouteTableLookupBenchmark.lookupMiss", "routes=65536");
        assertThat(Target.evaluateAllocation(List.of()).status()).isEqualTo(Target.Status.NOT_MEASURED);
    }

    @Test
    void shouldNameJmhParametersInTheSameOrderWhateverTheMapsOrder() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("packetLength", "64");
        params.put("encrypt", "true");
        params.put("auth", "on");

        assertThat(new JmhResult("a.B.c", "avgt", params, 1, 0, "ns/op", 0).paramsText())
            .isEqualTo("auth=on, encrypt=true, packetLength=64");
    }

    @Test
    void shouldSayNotMeasuredWhenAReferenceVariantIsMissing() throws IOException {
        Path file = write("partial.json", results("[\"host-gw\", \"weft\"]",
            row("host-gw", 1, "tcp_1_stream", 9.5, "Gbit/s") + "," + row("weft", 1, "tcp_1_stream", 1.0, "Gbit/s")));
        Summary summary = Summary.of(EndToEndResults.read(file));

        assertThat(Target.ISSUE_4.get(0).evaluate(summary).status()).isEqualTo(Target.Status.NOT_MEASURED);
    }

    @Test
    void shouldWriteReportWithTablesTargetsAndNonEmptyPlotsWhenRendered() throws IOException {
        Path out = dir.resolve("out");
        RenderReport.Rendered rendered = RenderReport.render(e2e(), jmh(0.0004, 0.002), null, out);

        assertThat(rendered.plots()).extracting(p -> p.getFileName().toString())
            .containsExactly("throughput.png", "packets.png", "latency.png", "cpu.png");
        for (Path plot : rendered.plots()) {
            assertThat(plot).isRegularFile();
            assertThat(Files.size(plot)).isPositive();
        }
        // Issue 4's 3 of 5 and the allocation; issue 21's UDP passes and its TCP 1 stream (0.778 < 0.9) misses.
        assertThat(rendered.targetsPassed()).isEqualTo(5);
        assertThat(rendered.targetsMissed()).isEqualTo(3);
        String report = Files.readString(rendered.report());
        assertThat(report)
            .contains("| TCP 1 stream: weft >= 0.7x kernel VXLAN | 0.778x (7 Gbit/s vs 9 Gbit/s) | **pass** |")
            .contains("| variant | median | min - max | rounds | vs vxlan | vs weft-baseline | vs weft |\n")
            .contains("| weft | 7 | 6.3 - 7.2 | 3 | 0.778x | 7x | 1x |")
            .contains("| vxlan | 110,000 | 100,000 - 120,000 | 2 | 1x | n/a | 1x |")
            .contains("![throughput](throughput.png)")
            .contains("| RouteTableLookupBenchmark.lookupMiss | routes=65536 | 2.5 |")
            .contains("- cpuModel: `Test CPU`")
            .doesNotContain("wake-up floor holds"); // no VXLAN ping p99 to hold weft's p50 against
    }

    @Test
    void shouldDescribeTheSpinVariantWithItsFlagsOnlyWhenItWasMeasured() throws IOException {
        String rows = row("vxlan", 1, "ping_p50", 0.1, "ms") + "," + row("weft", 1, "ping_p50", 0.3, "ms") + ","
            + row("weft-spin", 1, "ping_p50", 0.2, "ms");
        Path withSpin = write("spin.json", "{\"format\": \"weft-e2e/1\", \"machine\": {}, \"settings\": {\"rounds\": 1,"
            + " \"spinWeftdArgs\": [\"--idle=spin\"]}, \"results\": [" + rows + "], \"errors\": []}");

        String report = Files.readString(RenderReport.render(withSpin, jmh(0, 0), null, dir.resolve("spin")).report());
        String without = Files.readString(RenderReport.render(e2e(), jmh(0, 0), null, dir.resolve("plain")).report());

        assertThat(report).contains("weft-spin runs weftd with [\"--idle=spin\"]: its lanes poll")
            .contains("| weft-spin | 0.2 | 0.2 - 0.2 | 1 | 2x | n/a | 0.667x |");
        assertThat(without).doesNotContain("weft-spin");
    }

    @Test
    void shouldJudgeTheCostOfAuthenticationAgainstWeftWithEtcdWhenTheAuthenticatedVariantsRan() throws IOException {
        String rows = String.join(",",
            row("weft", 1, "tcp_1_stream", 8.0, "Gbit/s"), row("weft-etcd", 1, "tcp_1_stream", 10.0, "Gbit/s"),
            row("weft-auth", 1, "tcp_1_stream", 8.5, "Gbit/s"), row("weft-encrypt", 1, "tcp_1_stream", 5.0, "Gbit/s"),
            row("weft-etcd", 1, "udp_64b_delivered", 100_000, "packets/s"),
            row("weft-auth", 1, "udp_64b_delivered", 89_000, "packets/s"),
            row("weft-etcd", 1, "rr_p50", 50, "us"), row("weft-auth", 1, "rr_p50", 54, "us"),
            row("wireguard-go", 1, "tcp_1_stream", 0.4, "Gbit/s"));
        Path file = write("auth.json", "{\"format\": \"weft-e2e/1\", \"machine\": {}, \"settings\": {\"rounds\": 1,"
            + " \"etcdWeftdArgs\": [\"--auth=off\"], \"authWeftdArgs\": [\"--auth=on\"]}, \"results\": [" + rows
            + "], \"errors\": []}");

        RenderReport.Rendered rendered = RenderReport.render(file, null, null, dir.resolve("auth"));
        String report = Files.readString(rendered.report());
        String plain = Files.readString(RenderReport.render(e2e(), null, null, dir.resolve("plain")).report());

        assertThat(Target.ISSUE_20.stream().map(t -> t.evaluate(Summary.of(EndToEndResults.read(file))).status())
            .toList()).containsExactly(
                Target.Status.PASS, // TCP 1 stream 8.5 / 10 = 0.85 >= 0.8
                Target.Status.MISS, // encrypted 5 / 10 = 0.5 < 0.6
                Target.Status.MISS, // UDP 89,000 / 100,000 = 0.89 < 0.9
                Target.Status.PASS); // request/response p50 54 / 50 = 1.08 <= 1.1
        assertThat(report).contains("## Targets (issue 20, authentication)")
            .contains("| TCP 1 stream: weft-auth >= 0.8x weft-etcd | 0.85x (8.5 Gbit/s vs 10.0 Gbit/s) | **pass** |")
            .contains("weft-etcd adds [\"--auth=off\"], weft-auth [\"--auth=on\"]")
            .contains("| rounds | vs vxlan | vs weft-baseline | vs weft | vs weft-etcd | vs wireguard-go |")
            .contains("| weft-auth | 8.5 | 8.5 - 8.5 | 1 | n/a | n/a | 1.06x | 0.85x | 21.3x |");
        assertThat(plain).doesNotContain("issue 20").doesNotContain("vs weft-etcd").doesNotContain("wireguard-go");
    }

    @Test
    void shouldJudgeIssue21sTargetsAgainstKernelVxlanInTheReport() throws IOException {
        String rows = String.join(",",
            row("vxlan", 1, "tcp_1_stream", 10.0, "Gbit/s"), row("weft", 1, "tcp_1_stream", 9.0, "Gbit/s"),
            row("vxlan", 1, "tcp_4_streams", 20.0, "Gbit/s"), row("weft", 1, "tcp_4_streams", 15.0, "Gbit/s"),
            row("vxlan", 1, "udp_64b_delivered", 100_000, "packets/s"),
            row("weft", 1, "udp_64b_delivered", 99_000, "packets/s"),
            row("vxlan", 1, "ping_p99", 0.2, "ms"), row("weft", 1, "ping_p99", 0.4, "ms"),
            row("weft", 1, "ping_p50", 0.3, "ms"),
            row("vxlan", 1, "rr_p99", 100, "us"), row("weft", 1, "rr_p99", 151, "us"));
        Path file = write("issue21.json", results("[\"vxlan\", \"weft\"]", rows));

        String report = Files.readString(RenderReport.render(file, null, null, dir.resolve("issue21")).report());

        assertThat(Target.ISSUE_21.stream().map(t -> t.evaluate(Summary.of(EndToEndResults.read(file))).status())
            .toList()).containsExactly(
                Target.Status.PASS, // TCP 1 stream 9 / 10 = 0.9 >= 0.9
                Target.Status.MISS, // TCP 4 streams 15 / 20 = 0.75 < 0.8
                Target.Status.MISS, // UDP 99,000 / 100,000 = 0.99 < 1
                Target.Status.PASS, // ping p99 0.4 / 0.2 = 2 <= 2
                Target.Status.MISS); // request/response p99 151 / 100 = 1.51 > 1.5
        assertThat(report).contains("## Targets (issue 21, performance)")
            .contains("| TCP 4 streams: weft >= 0.8x kernel VXLAN | 0.75x (15.0 Gbit/s vs 20.0 Gbit/s) | **miss** |")
            .contains("| ping p99: weft <= 2x kernel VXLAN | 2x (0.4 ms vs 0.2 ms) | **pass** |")
            .contains("weft's ping p50, which the lanes' wake-up floor holds (`docs/idle-and-latency.md`), is 1.5x"
                + " VXLAN's p99 in this run")
            .contains("within the target's 2x, it leaves 0.1 ms for weft's p99 above its own p50.");
        Path slowWakeUps = write("issue21-floor.json", results("[\"vxlan\", \"weft\"]", String.join(",",
            row("vxlan", 1, "ping_p99", 0.2, "ms"), row("weft", 1, "ping_p50", 0.5, "ms"))));
        assertThat(Files.readString(RenderReport.render(slowWakeUps, null, null, dir.resolve("floor")).report()))
            .contains("is 2.5x VXLAN's p99 in this run").contains("which is above the target's 2x.");
    }

    @Test
    void shouldJudgeTheFootprintOfTheShippedSetOnTheLargestWeftdAndTheMedianStartAndCpu() throws IOException {
        Path file = write("footprint.json", footprint(true));

        FootprintResults results = FootprintResults.read(file);
        List<Target.Verdict> verdicts = FootprintTargets.evaluate(results);

        // The "other" set, a "shipped" one with options of its own and a failed round are left out.
        assertThat(results.rssAtRestMb()).containsExactly(60.0, 70.0, 62.0, 63.0);
        assertThat(results.failedRounds()).isEqualTo(1);
        assertThat(verdicts.stream().map(Target.Verdict::status).toList()).containsExactly(
            Target.Status.MISS, // RSS at rest: 70 MB at most > 64, though the median (62.5) is below
            Target.Status.PASS, // under load: 79 MB at most <= 80
            Target.Status.PASS, // start: median of 450, 480, 520 (the other jar's 900 left out) = 480 <= 500
            Target.Status.MISS); // CPU: median of 6, 7, 8, 9 = 7.5 > 3
        assertThat(verdicts.get(0).measured()).isEqualTo("70.0 MB at most (median 62.5; 4 weftds)");
        assertThat(verdicts.get(3).description()).isEqualTo(
            "CPU with 1,000 UDP packets/s each way: weftd <= 3 % of a core");
        assertThat(verdicts.get(3).measured()).isEqualTo("7.5 % median (6-9 over 4)");
        // 25 and 27 us a packet (the null of a relay that relayed nothing left out), for 1,000 datagrams and 62.5
        // pings a second each way through one weftd: 2,125 packets a second.
        assertThat(FootprintTargets.relayPercentForTheSamePackets(results)).containsExactly(5.3125, 5.7375);

        List<Target.Verdict> older = FootprintTargets.evaluate(FootprintResults.read(
            write("footprint-older.json", footprint(false))));
        assertThat(older.get(3).status()).isEqualTo(Target.Status.NOT_MEASURED);
        assertThat(older.get(3).measured()).isEqualTo("no UDP phase in the footprint results");
        FootprintResults slower = FootprintResults.read(write("footprint-500.json", footprint(true)
            .replace("\"udpPacketsPerSecondEachWay\": 1000", "\"udpPacketsPerSecondEachWay\": 500")));
        assertThat(FootprintTargets.evaluate(slower).get(3).measured()).isEqualTo("the UDP phase ran at another rate");
        assertThat(FootprintTargets.relayPercentForTheSamePackets(slower)).isEmpty();
        assertThat(FootprintTargets.evaluate(FootprintResults.read(write("footprint-empty.json",
            "{\"results\": []}"))).stream().map(Target.Verdict::status).distinct().toList())
            .containsExactly(Target.Status.NOT_MEASURED);
    }

    @Test
    void shouldAddTheFootprintTargetsToTheReportWhenAFootprintFileIsGiven() throws IOException {
        Path footprint = write("footprint.json", footprint(true));

        RenderReport.Rendered with = RenderReport.render(e2e(), null, footprint, dir.resolve("with"));
        RenderReport.Rendered without = RenderReport.render(e2e(), null, null, dir.resolve("without"));

        String report = Files.readString(with.report());
        assertThat(report).contains("## Targets (issue 21, footprint and CPU at low rates)")
            .contains("From `../footprint.json` (`./weft bench --footprint`, weftd's options as shipped, 2026-12-07")
            .contains("1 round(s) failed and are left out.")
            .contains("| RSS at rest (10 s after start): every weftd <= 64 MB | 70.0 MB at most (median 62.5; 4 "
                + "weftds) | **miss** |")
            .contains("spends 5.31-5.74 % of a core on as many packets (about 2,125 a second through each weftd")
            .contains("above the target")
            .contains("footprint, start and CPU at low rates below");
        assertThat(with.targetsMissed()).isEqualTo(without.targetsMissed() + 2);
        assertThat(with.targetsPassed()).isEqualTo(without.targetsPassed() + 2);
        assertThat(Files.readString(without.report())).doesNotContain("footprint and CPU at low rates")
            .contains("footprint and start in `docs/footprint.md`");
    }

    /**
     * Two rounds of the shipped set (with the UDP and relay phases when {@code lowRate}), one of another set, one of
     * a set named shipped with an option of its own, and a failed round of the shipped set.
     */
    private static String footprint(boolean lowRate) {
        return "{\"machine\": {\"date\": \"2026-12-07T19:24:03Z\"}, \"results\": ["
            + footprintRound("shipped", 60, 70, 75, 79, 450, lowRate ? 6 : -1, 7, 25) + ","
            + footprintRound("other", 500, 500, 500, 500, 5_000, lowRate ? 90 : -1, 90, 90) + ","
            + footprintRound("shipped", 500, 500, 500, 500, 5_000, lowRate ? 90 : -1, 90, 90).replace(
                "\"jvmOptions\": []", "\"jvmOptions\": [\"-Xmx1g\"]") + ","
            + "{\"set\": \"shipped\", \"jvmOptions\": [], \"weftdArgs\": [], \"error\": \"no etcd\"},"
            + footprintRound("shipped", 62, 63, 72, 73, 480, lowRate ? 8 : -1, 9, 27).replace(
                "\"starts\": [", "\"starts\": [{\"startToForwardingMs\": 520}, {\"jar\": \"old\", "
                + "\"startToForwardingMs\": 900}, ").replace("\"lowRate\": [", "\"lowRate\": [{\"relay\": "
                + "\"socat\", \"relayMicrosecondsPerPacket\": null}, ") + "]}";
    }

    private static String footprintRound(String set, double rest1, double rest2, double load1, double load2,
                                         double startMs, double cpu1, double cpu2, double relayUs) {
        String udp = cpu1 < 0 ? "" : String.format(Locale.ROOT, ", {\"udpPacketsPerSecondEachWay\": 1000, "
            + "\"pingsPerSecond\": 62.5, \"weftdPercentOfOneCore\": [%s, %s]}, {\"relay\": \"socat\", "
            + "\"packetsPerSecond\": 1000, \"relayMicrosecondsPerPacket\": %s}", cpu1, cpu2, relayUs);
        return String.format(Locale.ROOT, "{\"set\": \"%s\", \"jvmOptions\": [], \"weftdArgs\": [], "
            + "\"idle\": [{\"rssKb\": %s}, {\"rssKb\": %s}], \"underLoad\": [{\"rssKb\": %s}, {\"rssKb\": %s}], "
            + "\"lowRate\": [{\"pingsPerSecond\": 100, \"weftdPercentOfOneCore\": [1, 1]}%s], "
            + "\"starts\": [{\"startToForwardingMs\": %s}]}", set, kib(rest1), kib(rest2), kib(load1), kib(load2),
            udp, startMs);
    }

    /** {@code mb} million bytes in KiB, as /proc gives RSS. */
    private static double kib(double mb) {
        return mb * 1e6 / 1024;
    }

    private Path e2e() throws IOException {
        StringBuilder rows = new StringBuilder();
        double[][] tcp1 = {{9.5, 9.6, 9.4}, {8, 10, 9}, {1, 1.2, 0.8}, {7, 6.3, 7.2}};
        String[] variants = {"host-gw", "vxlan", "weft-baseline", "weft"};
        for (int v = 0; v < variants.length; v++) {
            for (int round = 1; round <= 3; round++) {
                rows.append(row(variants[v], round, "tcp_1_stream", tcp1[v][round - 1], "Gbit/s")).append(',');
            }
        }
        rows.append(row("vxlan", 1, "udp_64b_delivered", 100_000, "packets/s")).append(',')
            .append(row("vxlan", 2, "udp_64b_delivered", 120_000, "packets/s")).append(',')
            .append(row("weft", 1, "udp_64b_delivered", 121_000, "packets/s")).append(',')
            .append(row("weft", 2, "udp_64b_delivered", 99_000, "packets/s")).append(',')
            .append(row("vxlan", 1, "ping_p50", 0.05, "ms")).append(',')
            .append(row("weft", 1, "ping_p50", 0.08, "ms")).append(',')
            .append(row("weft", 1, "rr_p99", 80, "us")).append(',')
            .append(row("weft-baseline", 1, "dataplane_cpu_per_gb", 4.0, "cpu-s/GB")).append(',')
            .append(row("weft", 1, "dataplane_cpu_per_gb", 0.9, "cpu-s/GB"));
        return write("e2e.json", results("[\"host-gw\", \"vxlan\", \"weft-baseline\", \"weft\"]", rows.toString()));
    }

    private Path jmh(double allocHit, double allocMiss) throws IOException {
        return write("jmh.json", "[" + jmhRow("lookupHit", 1.5, allocHit) + "," + jmhRow("lookupMiss", 2.5, allocMiss)
            + "]");
    }

    private static String jmhRow(String method, double score, double alloc) {
        return String.format(Locale.ROOT, "{\"benchmark\": \"io.weft.routing.RouteTableLookupBenchmark.%s\","
            + " \"mode\": \"avgt\", \"params\": {\"routes\": \"65536\"}, \"primaryMetric\": {\"score\": %s,"
            + " \"scoreError\": 0.1, \"scoreUnit\": \"ns/op\"}, \"secondaryMetrics\": {\"gc.alloc.rate.norm\":"
            + " {\"score\": %s, \"scoreUnit\": \"B/op\"}}}", method, score, alloc);
    }

    private static String results(String variants, String rows) {
        return "{\"format\": \"weft-e2e/1\", \"machine\": {\"nproc\": 2, \"cpuModel\": \"Test CPU\"},"
            + " \"settings\": {\"rounds\": 3, \"variants\": " + variants + "}, \"results\": [" + rows + "],"
            + " \"errors\": []}";
    }

    private static String row(String variant, int round, String metric, double value, String unit) {
        return String.format(Locale.ROOT, "{\"variant\": \"%s\", \"round\": %d, \"metric\": \"%s\", \"value\": %s,"
            + " \"unit\": \"%s\"}", variant, round, metric, value, unit);
    }

    private Path write(String name, String json) throws IOException {
        return Files.writeString(dir.resolve(name), json);
    }
}
