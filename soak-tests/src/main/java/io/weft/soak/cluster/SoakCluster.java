package io.weft.soak.cluster;

import io.weft.soak.agent.AgentSettings;
import io.weft.soak.agent.Crafted;
import io.weft.testbed.ProcessSample;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster a soak drives: nodes running weftd as shipped, pods attached by the CNI plugins with the conflist weftd
 * wrote, an etcd, and the faults a real cluster meets. The scenario, its probes and its oracles speak only to this;
 * {@link NamespaceCluster} implements it with network namespaces, and a kind cluster could.
 */
public interface SoakCluster extends AutoCloseable {
    /** What this cluster is, for the report: e.g. "network namespaces, etcd 3.4 with 3 members". */
    String describe();

    /** The nodes that have joined and not left, in join order. */
    List<ClusterNode> nodes();

    List<ClusterPod> pods(ClusterNode node);

    /** A new node joins: its weftd leases a subnet and is healthy, its pods are attached. */
    ClusterNode addNode();

    /** The node leaves for good: its agents stop, its weftd dies with it, and its lease is deleted. */
    void removeNode(ClusterNode node);

    /** SIGTERM; returns weftd's exit code once it has exited. */
    int stopWeftd(ClusterNode node);

    /** SIGKILL, as the node's kernel would end it. */
    void killWeftd(ClusterNode node);

    /** Starts weftd on the node again and waits until it reports healthy. */
    void startWeftd(ClusterNode node, Duration healthyTimeout);

    /** The exit code of the node's weftd if it has exited, empty while it runs. */
    Optional<Integer> weftdExit(ClusterNode node);

    /** The last lines weftd printed, for a report of why it ended. */
    String weftdLogTail(ClusterNode node, int lines);

    /** weftd's /metrics, empty when it does not answer. */
    Optional<Map<String, Number>> weftdMetrics(ClusterNode node);

    Optional<ProcessSample> sampleWeftd(ClusterNode node);

    /** The node namespace's kernel UDP counters (RcvbufErrors, SndbufErrors, ...), empty if unavailable. */
    Map<String, Long> nodeUdpCounters(ClusterNode node);

    /** The subnet the node's {@code subnet.env} names, e.g. {@code 10.244.7.0/24}. */
    Optional<String> leasedSubnet(ClusterNode node);

    /**
     * Whether the node's lease advertises a node key (weftd's default in etcd mode): the other nodes then refuse
     * its bare datagrams as {@code unauthenticated}, whatever they carry.
     */
    boolean advertisesKey(ClusterNode node);

    void setUnderlayUp(ClusterNode node, boolean up);

    void setUnderlayMtu(ClusterNode node, int mtu);

    int underlayMtu(ClusterNode node);

    /**
     * Loses {@code lossPercent} of the overlay's datagrams (and delays them by {@code delayMs}, where the kernel can)
     * on the node's underlay, both ways; returns what was applied.
     */
    String impairUnderlay(ClusterNode node, int lossPercent, int delayMs);

    /** Undoes {@link #impairUnderlay}. */
    void clearUnderlayImpairment(ClusterNode node);

    /** Deletes weftd's TUN device under it, as an operator's {@code ip link del} would. */
    void deleteTunDevice(ClusterNode node);

    boolean hasTunDevice(ClusterNode node);

    Registry registry();

    /** The port every weftd listens on (flannel's Backend.Port). */
    int backendPort();

    /** Starts a pod's agent with {@code settings} (its control file is the cluster's to choose) and waits for it. */
    Agent startAgent(ClusterPod pod, AgentSettings settings);

    /** A crafted datagram burst's destination: a node, the inner addresses, the kinds. */
    record InjectTarget(ClusterNode node, String innerSource, String innerDestination, List<Crafted> kinds) {
    }

    /**
     * Sends {@code countEach} datagrams of each kind to each target's weftd port, from {@code from} (a node, which
     * holds a lease) or, when empty, from an underlay address that holds none. Returns datagrams sent per target
     * node name and kind.
     */
    Map<String, Map<Crafted, Integer>> inject(Optional<ClusterNode> from, List<InjectTarget> targets, int countEach,
        long seed);

    /** The outcome of a bulk transfer: bits per second received, or why it failed. */
    record Burst(double receivedBitsPerSecond, String error) {
    }

    /** An iperf3 TCP transfer from {@code client} to {@code server} at {@code bitrate} (iperf3's syntax). */
    Burst bulkBurst(ClusterPod server, ClusterPod client, Duration duration, String bitrate);

    /** Removes everything the cluster made: processes, devices, namespaces. Idempotent. */
    @Override
    void close();
}
