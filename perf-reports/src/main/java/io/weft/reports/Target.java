package io.weft.reports;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * A goal of issue 4, 20 or 21, checked against one run: a ratio of two variants' medians against a bound, or (for
 * allocation) every JMH benchmark's bytes per operation.
 */
record Target(String description, String metric, String subject, String reference, Bound bound, double limit) {
    static final String WEFT = "weft";
    /** weft with its leases in etcd: the reference of the authenticated variants, which need etcd for their keys. */
    static final String WEFT_ETCD = "weft-etcd";
    static final String WEFT_AUTH = "weft-auth";
    static final String WEFT_ENCRYPT = "weft-encrypt";
    static final String WIREGUARD_GO = "wireguard-go";
    /** Any real allocation is at least one object header (12-16 bytes); JMH's estimate of none is a small fraction. */
    static final double NO_ALLOCATION_BYTES_PER_OP = 1.0;

    /** The outcome of one target. */
    enum Status { PASS, MISS, NOT_MEASURED }

    /** Which way the ratio must lie. */
    enum Bound { AT_LEAST, AT_MOST }

    /** What one target came to: the status and the numbers behind it. */
    record Verdict(String description, Status status, String measured) {
    }

    static final List<Target> ISSUE_4 = List.of(
        new Target("TCP 1 stream: weft >= 0.7x kernel VXLAN", MetricInfo.TCP_1_STREAM, WEFT, Summary.VXLAN,
            Bound.AT_LEAST, 0.7),
        new Target("TCP 1 stream: weft >= 8x the flannel-style baseline", MetricInfo.TCP_1_STREAM, WEFT,
            Summary.BASELINE, Bound.AT_LEAST, 8.0),
        new Target("64-byte UDP packets/s delivered: weft >= kernel VXLAN", MetricInfo.UDP_64B_DELIVERED, WEFT,
            Summary.VXLAN, Bound.AT_LEAST, 1.0),
        new Target("ping p50: weft <= 1.5x kernel VXLAN", MetricInfo.PING_P50, WEFT, Summary.VXLAN, Bound.AT_MOST, 1.5),
        new Target("dataplane CPU time per GB moved: weft <= 1/4 of the baseline", MetricInfo.DATAPLANE_CPU_PER_GB,
            WEFT, Summary.BASELINE, Bound.AT_MOST, 0.25));

    /** The cost of authentication (issue 20), against weft in the same lease mode and otherwise the same flags. */
    static final List<Target> ISSUE_20 = List.of(
        new Target("TCP 1 stream: weft-auth >= 0.8x weft-etcd", MetricInfo.TCP_1_STREAM, WEFT_AUTH, WEFT_ETCD,
            Bound.AT_LEAST, 0.8),
        new Target("TCP 1 stream: weft-encrypt >= 0.6x weft-etcd", MetricInfo.TCP_1_STREAM, WEFT_ENCRYPT, WEFT_ETCD,
            Bound.AT_LEAST, 0.6),
        new Target("64-byte UDP packets/s delivered: weft-auth >= 0.9x weft-etcd", MetricInfo.UDP_64B_DELIVERED,
            WEFT_AUTH, WEFT_ETCD, Bound.AT_LEAST, 0.9),
        new Target("TCP request/response p50: weft-auth <= 1.1x weft-etcd", MetricInfo.RR_P50, WEFT_AUTH, WEFT_ETCD,
            Bound.AT_MOST, 1.1));

    /**
     * Issue 21's targets that the harness measures, judged in each harness mode (with and without nat rules). Its
     * others (whole-machine CPU per GB, CPU at low rates, footprint, scale) have tools of their own.
     */
    static final List<Target> ISSUE_21 = List.of(
        new Target("TCP 1 stream: weft >= 0.9x kernel VXLAN", MetricInfo.TCP_1_STREAM, WEFT, Summary.VXLAN,
            Bound.AT_LEAST, 0.9),
        new Target("TCP 4 streams: weft >= 0.8x kernel VXLAN", MetricInfo.TCP_4_STREAMS, WEFT, Summary.VXLAN,
            Bound.AT_LEAST, 0.8),
        new Target("64-byte UDP packets/s delivered: weft >= kernel VXLAN", MetricInfo.UDP_64B_DELIVERED, WEFT,
            Summary.VXLAN, Bound.AT_LEAST, 1.0),
        new Target("ping p99: weft <= 2x kernel VXLAN", MetricInfo.PING_P99, WEFT, Summary.VXLAN, Bound.AT_MOST, 2.0),
        new Target("TCP request/response p99: weft <= 1.5x kernel VXLAN", MetricInfo.RR_P99, WEFT, Summary.VXLAN,
            Bound.AT_MOST, 1.5));

    Verdict evaluate(Summary summary) {
        OptionalDouble ratio = summary.ratio(metric, subject, reference);
        if (ratio.isEmpty()) {
            return new Verdict(description, Status.NOT_MEASURED, "needs " + subject + " and " + reference);
        }
        double value = ratio.getAsDouble();
        boolean pass = bound == Bound.AT_LEAST ? value >= limit : value <= limit;
        String unit = summary.unit(metric);
        String measured = String.format(Locale.ROOT, "%sx (%s %s vs %s %s)", Format.number(value),
            Format.number(summary.median(metric, subject).getAsDouble()), unit,
            Format.number(summary.median(metric, reference).getAsDouble()), unit);
        return new Verdict(description, pass ? Status.PASS : Status.MISS, measured);
    }

    /** No allocation per packet: every benchmark with gc profiler data below {@value #NO_ALLOCATION_BYTES_PER_OP}. */
    static Verdict evaluateAllocation(List<JmhResult> jmh) {
        Target target = new Target("no allocation per packet: JMH gc.alloc.rate.norm ~0 B/op (< "
            + Format.number(NO_ALLOCATION_BYTES_PER_OP) + ") for every benchmark", JmhResult.ALLOC_NORM, WEFT, "",
            Bound.AT_MOST, NO_ALLOCATION_BYTES_PER_OP);
        List<JmhResult> profiled = jmh.stream().filter(r -> !Double.isNaN(r.allocatedBytesPerOp())).toList();
        if (profiled.isEmpty()) {
            return new Verdict(target.description(), Status.NOT_MEASURED, "no JMH results with -prof gc");
        }
        JmhResult worst = profiled.stream()
            .max((a, b) -> Double.compare(a.allocatedBytesPerOp(), b.allocatedBytesPerOp())).orElseThrow();
        boolean pass = worst.allocatedBytesPerOp() < NO_ALLOCATION_BYTES_PER_OP;
        return new Verdict(target.description(), pass ? Status.PASS : Status.MISS, String.format(Locale.ROOT,
            "max %s B/op over %d benchmarks (%s%s)", Format.number(worst.allocatedBytesPerOp()), profiled.size(),
            worst.shortName(), worst.params().isEmpty() ? "" : ", " + worst.paramsText()));
    }
}
