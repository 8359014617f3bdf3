package io.weft.soak;

/**
 * The faults a soak injects. A node fault may cost the pairs that involve its node (and nothing else); a cluster
 * fault (etcd, the config key, datagrams at every node) must cost no pair anything: weftd forwards on the routes it
 * knows whatever happens to etcd, and refuses crafted datagrams without disturbing traffic.
 */
public enum FaultKind {
    WEFTD_TERM("weftd-term", true, false, "weftd SIGTERM, then started again (as a DaemonSet rollout does)"),
    WEFTD_KILL("weftd-kill", true, false, "weftd SIGKILL, then started again (a crash)"),
    NODE_LEAVE("node-leave", true, true, "a node leaves for good: its pods stop, weftd dies, its lease is deleted"),
    NODE_JOIN("node-join", true, false, "a new node joins: weftd leases a subnet, two pods are attached, probes start"),
    ETCD_MEMBER("etcd-member", false, false, "one of the three etcd members SIGKILLed, started again after a while"),
    ETCD_DOWN("etcd-down", false, false, "every etcd member SIGKILLed for 30 s, then started again"),
    ETCD_COMPACT("etcd-compact", false, false, "etcd compacted to its current revision (physical)"),
    UNDERLAY_DOWN("underlay-down", true, false, "the node's underlay link (eth0) down for 2 s"),
    UNDERLAY_MTU("underlay-mtu", true, false, "the node's underlay MTU lowered from 1500 to 1400 for a while"),
    UNDERLAY_LOSS("underlay-loss", true, false,
        "5% of the node's overlay datagrams lost both ways for a while (tc netem, and 20 ms delay, where the kernel"
        + " has it)"),
    TUN_DELETE("tun-delete", true, false, "flannel0 deleted under weftd (ip link del)"),
    LEASE_DELETE("lease-delete", true, false, "an operator deletes the node's lease key in etcd"),
    LEASE_GARBAGE("lease-garbage", true, false, "garbage written into the node's lease key for 5 s, then restored"),
    CONFIG_GARBAGE("config-garbage", false, false,
        "garbage written into the network config key for 5 s, then restored"),
    CRAFTED("crafted-datagrams", false, false,
        "crafted datagrams at every node's port 8285: from the hub (empty, truncated, not IPv4, bad lengths, bad "
        + "checksum, unknown sender, oversize, random) and from a node (spoofed source, not for the node, TTL 1)");

    private final String id;
    private final boolean nodeScoped;
    private final boolean endsTcp;
    private final String description;

    FaultKind(String id, boolean nodeScoped, boolean endsTcp, String description) {
        this.id = id;
        this.nodeScoped = nodeScoped;
        this.endsTcp = endsTcp;
        this.description = description;
    }

    public String id() {
        return id;
    }

    /** True when the fault targets one node, whose pairs it may cost; false when no pair may lose anything. */
    public boolean nodeScoped() {
        return nodeScoped;
    }

    /** True when TCP connections of the node's pods end by design (the pods are gone). */
    public boolean endsTcp() {
        return endsTcp;
    }

    public String description() {
        return description;
    }

    public static FaultKind of(String id) {
        for (FaultKind kind : values()) {
            if (kind.id.equals(id)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown fault kind " + id);
    }
}
