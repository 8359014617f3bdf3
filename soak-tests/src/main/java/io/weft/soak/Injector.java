package io.weft.soak;

import io.weft.soak.agent.Crafted;
import io.weft.soak.cluster.ClusterNode;
import io.weft.soak.cluster.ClusterPod;
import io.weft.testbed.ProcessSample;
import io.weft.soak.cluster.Registry;
import io.weft.soak.cluster.SoakCluster;
import io.weft.soak.cluster.SoakCluster.InjectTarget;
import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.Observations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Injects one fault through the {@link SoakCluster} and undoes it, whatever fails on the way (a link left down or an
 * etcd left dead would be every later fault's cause). Returns what it did and how long the cluster took to repair.
 */
final class Injector {
    static final String GARBAGE = "{\"PublicIP\": not json at all";
    private static final int CRAFTED_EACH = 20;
    private static final int LOWERED_MTU = 1400;
    private static final int LOSS_PERCENT = 5;
    private static final int DELAY_MS = 20;
    private static final long ETCD_DOWN_MS = 30_000;
    private static final long LINK_DOWN_MS = 2000;
    private static final long GARBAGE_MS = 5000;
    private static final Duration REPAIR_TIMEOUT = Duration.ofSeconds(30);
    private static final String DROPS = "weft_drops_total{direction=\"udp_to_tun\",reason=\"";
    private static final String UNAUTHENTICATED = "unauthenticated";

    private final SoakCluster cluster;
    private final Mesh mesh;
    private final Observations observations;
    private final RunState state;
    private final Random random;
    /** How long a fault that is held (a member down, a lowered MTU, loss) lasts before the soak undoes it. */
    private final long holdMillis;

    Injector(SoakCluster cluster, Mesh mesh, Observations observations, RunState state, Random random,
        long holdMillis) {
        this.cluster = cluster;
        this.mesh = mesh;
        this.observations = observations;
        this.state = state;
        this.random = random;
        this.holdMillis = holdMillis;
    }

    FaultRecord inject(int index, FaultKind kind) {
        List<ClusterNode> nodes = cluster.nodes();
        ClusterNode node = kind.nodeScoped() && kind != FaultKind.NODE_JOIN
            ? nodes.get(random.nextInt(nodes.size())) : null;
        state.currentFault = kind.id() + (node == null ? "" : " " + node);
        long start = state.micros();
        state.inProgress = new RunState.InProgress(index, kind.id(), node == null ? null : node.name(), start);
        String detail;
        String error = null;
        try {
            detail = switch (kind) {
                case WEFTD_TERM -> restartWeftd(node, false);
                case WEFTD_KILL -> restartWeftd(node, true);
                case NODE_LEAVE -> leave(node);
                case NODE_JOIN -> join();
                case ETCD_MEMBER -> etcdMember();
                case ETCD_DOWN -> etcdDown();
                case ETCD_COMPACT -> "compacted at revision " + cluster.registry().compact();
                case UNDERLAY_DOWN -> underlayDown(node);
                case UNDERLAY_MTU -> underlayMtu(node);
                case UNDERLAY_LOSS -> impair(node);
                case TUN_DELETE -> tunDelete(node);
                case LEASE_DELETE -> leaseDelete(node);
                case LEASE_GARBAGE -> leaseGarbage(node);
                case CONFIG_GARBAGE -> configGarbage();
                case CRAFTED -> crafted(index);
            };
        } catch (RuntimeException e) {
            detail = "";
            error = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(e.toString());
        }
        if (kind == FaultKind.NODE_JOIN) {
            List<ClusterNode> after = cluster.nodes();
            node = after.isEmpty() || nodes.containsAll(after) ? null : after.get(after.size() - 1);
        }
        state.currentFault = "";
        state.faultsDone.incrementAndGet();
        return new FaultRecord(index, kind.id(), kind.nodeScoped(), kind.endsTcp(), node == null ? null : node.name(),
            start, state.micros(), detail, error, -1, false, null, 0);
    }

    private String restartWeftd(ClusterNode node, boolean kill) {
        state.expectedDown.add(node.name());
        try {
            long t0 = System.nanoTime();
            String how;
            if (kill) {
                cluster.killWeftd(node);
                how = "SIGKILL";
            } else {
                int code = cluster.stopWeftd(node);
                how = "SIGTERM: exit code " + code + " after " + msSince(t0) + " ms";
            }
            long t1 = System.nanoTime();
            cluster.startWeftd(node, Profile.HEALTHY_TIMEOUT);
            return how + "; started again, healthy after " + msSince(t1) + " ms";
        } finally {
            state.expectedDown.remove(node.name());
        }
    }

    private String leave(ClusterNode node) {
        if (cluster.nodes().size() <= 3) {
            throw new IllegalStateException("too few nodes for one to leave");
        }
        mesh.leave(node);
        // Let the streams to and from its pods end while both ends still run: their last probes are then judged.
        sleepMs(Profile.LOSS_HORIZON_MS + 2500L);
        String subnet = cluster.leasedSubnet(node).orElse("?");
        cluster.removeNode(node);
        mesh.forget(node);
        observations.ledger.endNode(node.name());
        long t0 = System.nanoTime();
        boolean converged = awaitLeasesKnown();
        return "lease " + subnet + " deleted; " + (converged ? "every weftd knew " + cluster.nodes().size()
            + " leases after " + msSince(t0) + " ms" : "some weftd still count the departed lease");
    }

    private String join() {
        long t0 = System.nanoTime();
        ClusterNode node = cluster.addNode();
        long healthyMs = msSince(t0);
        mesh.join(List.of(node));
        long t1 = System.nanoTime();
        boolean converged = awaitLeasesKnown();
        return node + " joined with " + cluster.leasedSubnet(node).orElse("?") + " (weftd healthy and pods attached "
            + healthyMs + " ms after start); " + (converged ? "every weftd knew " + cluster.nodes().size()
            + " leases " + msSince(t1) + " ms after its probes started" : "some weftd did not learn its lease");
    }

    private boolean awaitLeasesKnown() {
        return await(REPAIR_TIMEOUT, () -> cluster.nodes().stream().allMatch(n -> cluster.weftdMetrics(n)
            .map(m -> m.getOrDefault("weft_leases_known", -1L).longValue() == cluster.nodes().size())
            .orElse(false)));
    }

    private String etcdMember() {
        Registry registry = cluster.registry();
        int member = random.nextInt(registry.memberCount());
        try {
            registry.killMember(member);
            sleepMs(holdMillis);
        } finally {
            registry.startMembers();
        }
        return "member " + member + " killed, started again after " + holdMillis / 1000 + " s";
    }

    private String etcdDown() {
        Registry registry = cluster.registry();
        state.etcdDown = true;
        try {
            for (int i = 0; i < registry.memberCount(); i++) {
                registry.killMember(i);
            }
            sleepMs(ETCD_DOWN_MS);
            long t0 = System.nanoTime();
            registry.startMembers();
            return "all " + registry.memberCount() + " members killed for " + ETCD_DOWN_MS / 1000
                + " s; quorum again " + msSince(t0) + " ms after they were started";
        } finally {
            if (!registry.isHealthy()) {
                registry.startMembers();
            }
            state.etcdDown = false;
        }
    }

    private String underlayDown(ClusterNode node) {
        try {
            cluster.setUnderlayUp(node, false);
            sleepMs(LINK_DOWN_MS);
        } finally {
            cluster.setUnderlayUp(node, true);
        }
        return "eth0 down for " + LINK_DOWN_MS + " ms";
    }

    private String underlayMtu(ClusterNode node) {
        int mtu = cluster.underlayMtu(node);
        try {
            cluster.setUnderlayMtu(node, LOWERED_MTU);
            sleepMs(holdMillis);
        } finally {
            cluster.setUnderlayMtu(node, mtu);
        }
        return "eth0 MTU " + mtu + " -> " + LOWERED_MTU + " for " + holdMillis / 1000 + " s, then back";
    }

    private String impair(ClusterNode node) {
        String applied;
        try {
            applied = cluster.impairUnderlay(node, LOSS_PERCENT, DELAY_MS);
            sleepMs(holdMillis);
        } finally {
            cluster.clearUnderlayImpairment(node);
        }
        return applied + ", for " + holdMillis / 1000 + " s";
    }

    private String tunDelete(ClusterNode node) {
        cluster.deleteTunDevice(node);
        long t0 = System.nanoTime();
        if (!await(REPAIR_TIMEOUT, () -> cluster.hasTunDevice(node))) {
            throw new IllegalStateException("flannel0 not made again within " + REPAIR_TIMEOUT.toSeconds() + " s");
        }
        return "flannel0 made again after " + msSince(t0) + " ms";
    }

    private String leaseDelete(ClusterNode node) {
        String subnet = cluster.leasedSubnet(node).orElseThrow(() -> new IllegalStateException("no subnet.env"));
        String key = cluster.registry().subnetKey(subnet);
        cluster.registry().delete(key);
        long t0 = System.nanoTime();
        boolean back = await(REPAIR_TIMEOUT, () -> cluster.leasedSubnet(node)
            .flatMap(s -> cluster.registry().get(cluster.registry().subnetKey(s)))
            .map(value -> value.contains("\"" + node.underlayIp() + "\"")).orElse(false));
        String now = cluster.leasedSubnet(node).orElse("?");
        if (!back) {
            throw new IllegalStateException("no lease of " + node + " in etcd " + REPAIR_TIMEOUT.toSeconds()
                + " s after " + key + " was deleted");
        }
        return "deleted " + subnet + "; leased " + (now.equals(subnet) ? "the same subnet" : now + " instead")
            + " after " + msSince(t0) + " ms";
    }

    private String leaseGarbage(ClusterNode node) {
        String subnet = cluster.leasedSubnet(node).orElseThrow(() -> new IllegalStateException("no subnet.env"));
        String key = cluster.registry().subnetKey(subnet);
        String original = cluster.registry().get(key).orElseThrow(() -> new IllegalStateException("no " + key));
        cluster.registry().put(key, GARBAGE);
        long t0 = System.nanoTime();
        boolean rewritten = await(Duration.ofMillis(GARBAGE_MS), () -> !cluster.registry().get(key).orElse("")
            .equals(GARBAGE));
        String outcome = rewritten ? "weftd replaced it after " + msSince(t0) + " ms with "
            + cluster.registry().get(key).orElse("nothing") : "still garbage after " + GARBAGE_MS / 1000 + " s";
        if (!rewritten) {
            cluster.registry().put(key, original);
            outcome += "; restored by the soak";
        }
        String now = cluster.leasedSubnet(node).orElse("?");
        return "garbage in " + key + ": " + outcome + (now.equals(subnet) ? "" : "; the node now leases " + now);
    }

    private String configGarbage() {
        Registry registry = cluster.registry();
        String original = registry.get(registry.configKey()).orElseThrow(() -> new IllegalStateException("no config"));
        try {
            registry.put(registry.configKey(), GARBAGE);
            sleepMs(GARBAGE_MS);
        } finally {
            registry.put(registry.configKey(), original);
        }
        return "garbage in " + registry.configKey() + " for " + GARBAGE_MS / 1000 + " s, then restored";
    }

    /**
     * Every node gets the hub's kinds, and the node kinds from the node before it; weftd's udp_to_tun drop counters,
     * read before and after on every node, must have grown by exactly what was sent, reason by reason. A node that
     * advertises a key has its bare datagrams refused before they are looked into: its kinds count as
     * {@code unauthenticated}.
     */
    private String crafted(int index) {
        List<ClusterNode> nodes = cluster.nodes();
        Map<String, Map<String, Number>> before = new LinkedHashMap<>();
        Map<String, Long> pids = new LinkedHashMap<>();
        for (ClusterNode node : nodes) {
            before.put(node.name(), cluster.weftdMetrics(node).orElseThrow(() -> new IllegalStateException(
                "no metrics from " + node)));
            pids.put(node.name(), pid(node));
        }
        List<Crafted> hubKinds = Arrays.stream(Crafted.values()).filter(k -> !k.fromNode()).toList();
        List<InjectTarget> hubTargets = new ArrayList<>();
        Map<String, Map<Crafted, Integer>> sent = new LinkedHashMap<>();
        Set<String> targetsOfKeyedSenders = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            ClusterNode target = nodes.get(i);
            ClusterNode other = nodes.get((i + 1) % nodes.size());
            hubTargets.add(new InjectTarget(target, podIp(other), podIp(target), hubKinds));
        }
        merge(sent, cluster.inject(Optional.empty(), hubTargets, CRAFTED_EACH, random.nextLong()));
        for (int i = 0; i < nodes.size(); i++) {
            ClusterNode from = nodes.get(i);
            ClusterNode target = nodes.get((i + 1) % nodes.size());
            ClusterNode third = nodes.get((i + 2) % nodes.size());
            String targetSubnet = cluster.leasedSubnet(target).orElseThrow();
            String unused = targetSubnet.substring(0, targetSubnet.lastIndexOf('.')) + ".250";
            if (cluster.advertisesKey(from)) {
                targetsOfKeyedSenders.add(target.name());
            }
            merge(sent, cluster.inject(Optional.of(from), List.of(
                new InjectTarget(target, podIp(third), podIp(target), List.of(Crafted.SPOOFED)),
                new InjectTarget(target, podIp(from), podIp(third), List.of(Crafted.NOT_FOR_THIS_NODE)),
                new InjectTarget(target, podIp(from), unused, List.of(Crafted.TTL_ONE))), CRAFTED_EACH,
                random.nextLong()));
        }
        sleepMs(2000);
        long total = 0;
        int mismatches = 0;
        List<String> restarted = new ArrayList<>();
        for (ClusterNode node : nodes) {
            Map<String, Number> after = cluster.weftdMetrics(node).orElse(Map.of());
            if (pid(node) != pids.get(node.name()) || after.isEmpty()) {
                restarted.add(node.name()); // its counters started again: nothing to compare
                continue;
            }
            Map<Crafted, Integer> counts = sent.getOrDefault(node.name(), Map.of());
            Map<String, Long> expected = new LinkedHashMap<>();
            long randomCount = 0;
            for (Map.Entry<Crafted, Integer> entry : counts.entrySet()) {
                total += entry.getValue();
                if (entry.getKey().dropReason() == null) {
                    randomCount += entry.getValue();
                } else {
                    boolean unauthenticated = entry.getKey().fromNode() && targetsOfKeyedSenders.contains(node.name());
                    expected.merge(unauthenticated ? UNAUTHENTICATED : entry.getKey().dropReason(),
                        (long) entry.getValue(), Long::sum);
                }
            }
            long allBefore = 0;
            long allAfter = 0;
            for (String series : after.keySet()) {
                if (series.startsWith(DROPS)) {
                    allBefore += before.get(node.name()).getOrDefault(series, 0L).longValue();
                    allAfter += after.get(series).longValue();
                }
            }
            for (Map.Entry<String, Long> entry : expected.entrySet()) {
                String series = DROPS + entry.getKey() + "\"}";
                long counted = after.getOrDefault(series, 0L).longValue()
                    - before.get(node.name()).getOrDefault(series, 0L).longValue();
                boolean exact = randomCount == 0;
                observations.crafted.add(new Observations.CraftedCheck(index, node.name(), entry.getKey(),
                    entry.getValue(), counted, exact));
                mismatches += (exact ? counted == entry.getValue() : counted >= entry.getValue()) ? 0 : 1;
            }
            long expectedAll = expected.values().stream().mapToLong(Long::longValue).sum() + randomCount;
            observations.crafted.add(new Observations.CraftedCheck(index, node.name(), "(all reasons)", expectedAll,
                allAfter - allBefore, true));
            mismatches += allAfter - allBefore == expectedAll ? 0 : 1;
        }
        return total + " datagrams sent to " + nodes.size() + " nodes; " + (mismatches == 0
            ? "every one counted under its reason" : mismatches + " counts differ from what was sent")
            + (restarted.isEmpty() ? "" : "; not compared on " + restarted + " (weftd restarted meanwhile)");
    }

    private long pid(ClusterNode node) {
        return cluster.sampleWeftd(node).map(ProcessSample::pid).orElse(-1L);
    }

    private String podIp(ClusterNode node) {
        List<ClusterPod> pods = cluster.pods(node);
        return pods.get(0).ip();
    }

    private static void merge(Map<String, Map<Crafted, Integer>> into, Map<String, Map<Crafted, Integer>> more) {
        more.forEach((node, counts) -> counts.forEach((kind, n) -> into.computeIfAbsent(node,
            k -> new LinkedHashMap<>()).merge(kind, n, Integer::sum)));
    }

    static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return true;
                }
            } catch (RuntimeException e) {
                // Not yet: etcd or weftd still coming back.
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            sleepMs(100);
        }
    }

    static void sleepMs(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static long msSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
