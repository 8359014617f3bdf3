package io.weft.soak.cluster;

import java.util.Map;
import java.util.Optional;

/**
 * The cluster's etcd as an operator sees it: its members (which can be killed and started), flannel's keys, and
 * compaction. Keys are full etcd keys; writes keep the etcd lease a key is attached to.
 */
public interface Registry {
    /** flannel's prefix, e.g. {@code /coreos.com/network}. */
    String prefix();

    default String configKey() {
        return prefix() + "/config";
    }

    /** The lease key of a subnet such as {@code 10.244.7.0/24}. */
    default String subnetKey(String subnet) {
        return prefix() + "/subnets/" + subnet.replace('/', '-');
    }

    int memberCount();

    /** SIGKILL to member {@code index} (0-based), as a crash. */
    void killMember(int index);

    /** Starts every member that is down, on its data, at once (a lone member has no quorum), and waits for one. */
    void startMembers();

    /** True when a quorum answers. */
    boolean isHealthy();

    /** Every key under {@code <prefix>/subnets/}, as the subnet it names, to its raw value. Throws if etcd is down. */
    Map<String, String> subnets();

    Optional<String> get(String key);

    /** Puts {@code value}, attached to the etcd lease {@code key} already has, if any. */
    void put(String key, String value);

    void delete(String key);

    /** Compacts the whole history up to the current revision; returns that revision. */
    long compact();
}
