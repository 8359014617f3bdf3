package io.weft.dataplane.lane;

/**
 * Every counter of the data path, with a stable id (its ordinal) and its Prometheus series. Drops are counted by
 * reason; none is ever logged per packet.
 */
public enum DataplaneCounter {
    TUN_RX_PACKETS("weft_packets_total{direction=\"tun_to_udp\",stage=\"read\"}"),
    TUN_RX_READS("weft_syscalls_total{call=\"tun_read\"}"),
    TUN_RX_BYTES("weft_bytes_total{direction=\"tun_to_udp\",stage=\"read\"}"),
    UDP_TX_PACKETS("weft_packets_total{direction=\"tun_to_udp\",stage=\"sent\"}"),
    UDP_TX_SENDS("weft_syscalls_total{call=\"udp_send\"}"),
    UDP_TX_BYTES("weft_bytes_total{direction=\"tun_to_udp\",stage=\"sent\"}"),
    UDP_RX_PACKETS("weft_packets_total{direction=\"udp_to_tun\",stage=\"read\"}"),
    UDP_RX_RECEIVES("weft_syscalls_total{call=\"udp_receive\"}"),
    UDP_RX_BYTES("weft_bytes_total{direction=\"udp_to_tun\",stage=\"read\"}"),
    TUN_TX_PACKETS("weft_packets_total{direction=\"udp_to_tun\",stage=\"written\"}"),
    TUN_TX_WRITES("weft_syscalls_total{call=\"tun_write\"}"),
    TUN_TX_BYTES("weft_bytes_total{direction=\"udp_to_tun\",stage=\"written\"}"),
    ICMP_UNREACHABLE_SENT("weft_icmp_unreachable_sent_total"),
    /** Packets and segments sent with their TCP or UDP checksum left partial, to peers whose lease allows it. */
    UDP_TX_PARTIAL_CHECKSUMS("weft_partial_checksums_total{direction=\"tun_to_udp\"}"),
    /** Super-packets whose first segments joined the UDP GSO send the previous one left room in. */
    UDP_TX_RUNS_CONTINUED("weft_gso_runs_continued_total"),
    /** Datagrams sealed for a peer that authenticates, and opened from one (issue 20). */
    UDP_TX_SEALED("weft_authenticated_datagrams_total{direction=\"tun_to_udp\"}"),
    UDP_RX_OPENED("weft_authenticated_datagrams_total{direction=\"udp_to_tun\"}"),
    /** Lanes that stopped UDP GSO when the kernel refused a GSO send (an IPsec policy, a path MTU below a datagram). */
    UDP_GSO_STOPPED("weft_offload_runtime_fallbacks_total{offload=\"udp_gso\"}"),

    DROP_TUN_NOT_IPV4(drop("tun_to_udp", "not_ipv4")),
    DROP_NO_ROUTE(drop("tun_to_udp", "no_route")),
    DROP_ROUTE_TO_SELF(drop("tun_to_udp", "route_to_self")),
    DROP_TUN_TTL_EXPIRED(drop("tun_to_udp", "ttl_expired")),
    DROP_SEND_BUFFER_FULL(drop("tun_to_udp", "send_buffer_full")),
    DROP_SEND_ERROR(drop("tun_to_udp", "send_error")),
    DROP_TUN_READ_ERROR(drop("tun_to_udp", "tun_read_error")),
    DROP_BAD_OFFLOAD(drop("tun_to_udp", "bad_offload")),
    /** To a node without a key under --auth=required, or whose key agreed no secret. */
    DROP_PEER_NOT_AUTHENTICATED(drop("tun_to_udp", "peer_not_authenticated")),
    DROP_SEAL_FAILED(drop("tun_to_udp", "seal_failed")),

    DROP_EMPTY(drop("udp_to_tun", "empty")),
    DROP_TOO_SHORT(drop("udp_to_tun", "too_short")),
    DROP_OVERSIZE(drop("udp_to_tun", "oversize")),
    DROP_NOT_IPV4(drop("udp_to_tun", "not_ipv4")),
    DROP_BAD_HEADER_LENGTH(drop("udp_to_tun", "bad_header_length")),
    DROP_BAD_TOTAL_LENGTH(drop("udp_to_tun", "bad_total_length")),
    DROP_BAD_CHECKSUM(drop("udp_to_tun", "bad_checksum")),
    DROP_UNKNOWN_SENDER(drop("udp_to_tun", "unknown_sender")),
    DROP_SPOOFED_SOURCE(drop("udp_to_tun", "spoofed_source")),
    DROP_FROM_THIS_NODE(drop("udp_to_tun", "from_this_node")),
    /** A bare datagram from a node that advertises a key, or from anyone under --auth=required. */
    DROP_UNAUTHENTICATED(drop("udp_to_tun", "unauthenticated")),
    /** A sealed datagram from a node whose key we do not hold (not yet, or not at all). */
    DROP_AUTH_UNKNOWN_KEY(drop("udp_to_tun", "auth_unknown_key")),
    DROP_AUTH_MALFORMED(drop("udp_to_tun", "auth_malformed")),
    /** The tag does not hold: forged, altered, or sealed with another key (the sender's new epoch not yet seen). */
    DROP_AUTH_FAILED(drop("udp_to_tun", "auth_failed")),
    DROP_REPLAYED(drop("udp_to_tun", "replayed")),
    DROP_NOT_FOR_THIS_NODE(drop("udp_to_tun", "not_for_this_node")),
    DROP_TTL_EXPIRED(drop("udp_to_tun", "ttl_expired")),
    DROP_TUN_WRITE_ERROR(drop("udp_to_tun", "tun_write_error")),
    DROP_UDP_READ_ERROR(drop("udp_to_tun", "udp_read_error"));

    private final String series;

    DataplaneCounter(final String series) {
        this.series = series;
    }

    public String series() {
        return series;
    }

    public boolean isDrop() {
        return name().startsWith("DROP_");
    }

    private static String drop(final String direction, final String reason) {
        return "weft_drops_total{direction=\"" + direction + "\",reason=\"" + reason + "\"}";
    }
}
