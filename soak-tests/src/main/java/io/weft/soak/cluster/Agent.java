package io.weft.soak.cluster;

import io.weft.soak.agent.Peers;
import java.util.List;
import java.util.Map;

/** A running pod agent ({@code io.weft.soak.agent.PodAgent}): what it has reported, and whom it should talk to. */
public interface Agent {
    ClusterPod pod();

    /** The whole report lines written since the last call. */
    List<String> drain();

    /** Replaces the agent's peers; it picks the change up within a fraction of a second. */
    void setPeers(Peers peers);

    boolean isAlive();

    /** The pod's kernel UDP counters ({@code /proc/net/snmp} of its namespace), e.g. RcvbufErrors; empty if gone. */
    Map<String, Long> udpCounters();

    /** CPU time the agent has used, in clock ticks; -1 when it cannot be read. */
    long cpuTicks();

    /** SIGTERM: the agent writes its last report and exits. */
    void stop();
}
