package io.weft.bench;

/**
 * What the end-to-end harness measures, with the names and units written into the result file (perf-reports keys its
 * tables and targets on these names).
 */
enum Metric {
    TCP_1_STREAM("tcp_1_stream", "Gbit/s"),
    TCP_4_STREAMS("tcp_4_streams", "Gbit/s"),
    UDP_64B_DELIVERED("udp_64b_delivered", "packets/s"),
    UDP_64B_SENT("udp_64b_sent", "packets/s"),
    /** Datagrams the receiving pod's kernel dropped at iperf3's full socket (its UdpRcvbufErrors), per second. */
    UDP_64B_DROPPED_BY_RECEIVER("udp_64b_dropped_by_receiver", "packets/s"),
    /**
     * Sent minus received minus those dropped by the receiver, per second: lost on the way, in the dataplane, give or
     * take a few the ends' slightly different windows count (it can be a little negative).
     */
    UDP_64B_LOST_ON_THE_WAY("udp_64b_lost_on_the_way", "packets/s"),
    PING_P50("ping_p50", "ms"),
    PING_P99("ping_p99", "ms"),
    RR_P50("rr_p50", "us"),
    RR_P99("rr_p99", "us"),
    /** utime + stime of the weftd processes during the TCP 1-stream run per 10^9 bytes received; weft only. */
    DATAPLANE_CPU_PER_GB("dataplane_cpu_per_gb", "cpu-s/GB");

    private final String key;
    private final String unit;

    Metric(String key, String unit) {
        this.key = key;
        this.unit = unit;
    }

    String key() {
        return key;
    }

    String unit() {
        return unit;
    }
}
