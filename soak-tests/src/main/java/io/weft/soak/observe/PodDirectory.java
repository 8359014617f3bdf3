package io.weft.soak.observe;

import io.weft.soak.cluster.ClusterPod;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which pod an address belongs to now. Agents report peers by address; a pod that joins after another left may get
 * the departed pod's address, so the mapping follows membership.
 */
public final class PodDirectory {
    private final Map<String, ClusterPod> byIp = new HashMap<>();

    public synchronized void add(ClusterPod pod) {
        byIp.put(pod.ip(), pod);
    }

    public synchronized Optional<ClusterPod> pod(String ip) {
        return Optional.ofNullable(byIp.get(ip));
    }

    /** The pod's id, or the address itself in brackets when no live pod has it (a report from a departed one). */
    public synchronized String id(String ip) {
        ClusterPod pod = byIp.get(ip);
        return pod == null ? "[" + ip + "]" : pod.id();
    }
}
