package io.weft.reports;

import java.util.List;

/**
 * How the report shows a harness metric: its title and whether more is better. Metrics the catalogue does not know
 * are shown under their own name, ordered last.
 */
record MetricInfo(String key, String title, boolean higherIsBetter) {
    static final String TCP_1_STREAM = "tcp_1_stream";
    static final String TCP_4_STREAMS = "tcp_4_streams";
    static final String UDP_64B_DELIVERED = "udp_64b_delivered";
    static final String UDP_64B_SENT = "udp_64b_sent";
    static final String UDP_64B_DROPPED_BY_RECEIVER = "udp_64b_dropped_by_receiver";
    static final String UDP_64B_LOST_ON_THE_WAY = "udp_64b_lost_on_the_way";
    static final String PING_P50 = "ping_p50";
    static final String PING_P99 = "ping_p99";
    static final String RR_P50 = "rr_p50";
    static final String RR_P99 = "rr_p99";
    static final String DATAPLANE_CPU_PER_GB = "dataplane_cpu_per_gb";

    static final List<MetricInfo> KNOWN = List.of(
        new MetricInfo(TCP_1_STREAM, "TCP, 1 stream", true),
        new MetricInfo(TCP_4_STREAMS, "TCP, 4 streams", true),
        new MetricInfo(UDP_64B_DELIVERED, "UDP 64-byte packets delivered", true),
        new MetricInfo(UDP_64B_SENT, "UDP 64-byte packets sent (offered load)", true),
        new MetricInfo(UDP_64B_DROPPED_BY_RECEIVER,
            "UDP 64-byte packets dropped by the receiving pod (its socket full)", false),
        new MetricInfo(UDP_64B_LOST_ON_THE_WAY, "UDP 64-byte packets lost on the way (sent - delivered - dropped by"
            + " the receiving pod)", false),
        new MetricInfo(PING_P50, "ping p50", false),
        new MetricInfo(PING_P99, "ping p99", false),
        new MetricInfo(RR_P50, "TCP request/response p50", false),
        new MetricInfo(RR_P99, "TCP request/response p99", false),
        new MetricInfo(DATAPLANE_CPU_PER_GB, "dataplane CPU time per GB moved (TCP 1 stream)", false));

    static MetricInfo of(String key) {
        return KNOWN.stream().filter(m -> m.key.equals(key)).findFirst()
            .orElse(new MetricInfo(key, key, true));
    }

    /** Catalogue position; unknown metrics after every known one. */
    int order() {
        int index = KNOWN.indexOf(this);
        return index < 0 ? KNOWN.size() : index;
    }
}
