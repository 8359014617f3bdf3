package io.weft.soak.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.soak.cluster.ClusterNode;
import io.weft.soak.cluster.ClusterPod;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks that no two nodes ever hold one subnet, against etcd and the nodes' {@code subnet.env}: two live nodes
 * naming the same subnet, a node naming a subnet whose lease names another node, one node holding two leases, or a
 * pod whose address is outside its node's subnet (its node moved to another subnet under it). Findings that persist
 * are kept once, with when they were first and last seen.
 */
public final class SubnetAudit {
    /** Findings that break the rule (the others, such as a lease missing for a while, are only reported). */
    public static final List<String> VIOLATIONS = List.of("shared-subnet", "lease-of-another-node",
        "pod-outside-subnet");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, AuditFinding> findings = new LinkedHashMap<>();
    private int checks;

    /**
     * One check at {@code micros}: {@code leased} is each live node's subnet.env subnet, {@code etcdSubnets} etcd's
     * subnet keys and values, {@code pods} each live node's pods.
     */
    public synchronized void check(long micros, Map<ClusterNode, Optional<String>> leased,
        Map<String, String> etcdSubnets, Map<ClusterNode, List<ClusterPod>> pods) {
        checks++;
        Map<String, ClusterNode> holder = new HashMap<>();
        leased.forEach((node, subnet) -> {
            if (subnet.isEmpty()) {
                return;
            }
            ClusterNode other = holder.putIfAbsent(subnet.get(), node);
            if (other != null) {
                note(micros, "shared-subnet", node.name(), subnet.get() + " in the subnet.env of " + other + " and "
                    + node);
            }
            String value = etcdSubnets.get(subnet.get());
            if (value == null) {
                note(micros, "lease-missing", node.name(), node + "'s subnet " + subnet.get() + " has no key in etcd");
            } else {
                Optional<String> publicIp = publicIp(value);
                if (publicIp.isEmpty()) {
                    note(micros, "lease-unparsable", node.name(), subnet.get() + " of " + node + ": " + value);
                } else if (!publicIp.get().equals(node.underlayIp())) {
                    note(micros, "lease-of-another-node", node.name(), node + " (" + node.underlayIp() + ") uses "
                        + subnet.get() + " whose lease names " + publicIp.get());
                }
            }
            for (ClusterPod pod : pods.getOrDefault(node, List.of())) {
                if (!inside(pod.ip(), subnet.get())) {
                    note(micros, "pod-outside-subnet", node.name(), pod + " is outside " + node + "'s subnet "
                        + subnet.get());
                }
            }
        });
        Map<String, List<String>> byIp = new HashMap<>();
        etcdSubnets.forEach((subnet, value) -> publicIp(value).ifPresent(ip -> byIp.computeIfAbsent(ip,
            k -> new ArrayList<>()).add(subnet)));
        byIp.forEach((ip, subnets) -> {
            if (subnets.size() > 1) {
                note(micros, "leases-of-one-node", ip, ip + " holds " + subnets);
            }
        });
    }

    public synchronized int checks() {
        return checks;
    }

    public synchronized List<AuditFinding> findings() {
        return List.copyOf(findings.values());
    }

    private void note(long micros, String kind, String node, String detail) {
        findings.merge(kind + " " + detail, new AuditFinding(kind, node, detail, micros, micros, 1),
            (old, now) -> new AuditFinding(kind, node, detail, old.firstMicros(), micros, old.times() + 1));
    }

    static Optional<String> publicIp(String value) {
        try {
            JsonNode lease = JSON.readTree(value);
            return lease != null && lease.path("PublicIP").isTextual() ? Optional.of(lease.get("PublicIP").asText())
                : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static boolean inside(String ip, String cidr) {
        int slash = cidr.indexOf('/');
        int length = Integer.parseInt(cidr.substring(slash + 1));
        int mask = length == 0 ? 0 : -1 << (32 - length);
        return (ipv4(ip) & mask) == (ipv4(cidr.substring(0, slash)) & mask);
    }

    private static int ipv4(String ip) {
        String[] parts = ip.split("\\.");
        int value = 0;
        for (String part : parts) {
            value = value << 8 | Integer.parseInt(part);
        }
        return value;
    }
}
