package io.weft.soak;

import io.weft.soak.cluster.ClusterNode;
import io.weft.soak.cluster.SoakCluster;
import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.Pair;
import io.weft.soak.observe.ProbeLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * After each fault, waits until every pair flows again. A node whose pairs still do not (its pods cut off for good,
 * e.g. left on a subnet their node no longer holds) is replaced, as an operator would drain and replace it, so that
 * the faults after it are judged on a whole cluster; the fault is marked as never healed on its own.
 */
final class Healer {
    /** A pair is behind when its receiver misses this many seconds of what its sender sent. */
    private static final int BEHIND_SECONDS = 3;

    private final SoakCluster cluster;
    private final Mesh mesh;
    private final ProbeLedger ledger;
    private final RunState state;
    private final Consumer<String> log;

    Healer(SoakCluster cluster, Mesh mesh, ProbeLedger ledger, RunState state, Consumer<String> log) {
        this.cluster = cluster;
        this.mesh = mesh;
        this.ledger = ledger;
        this.state = state;
        this.log = log;
    }

    FaultRecord heal(FaultRecord fault, Duration wait) {
        // A pair shows as behind only seconds after it stopped, and after a report: wait for that first.
        Injector.sleepMs((BEHIND_SECONDS + 1) * 1000L);
        if (awaitFlowing(wait) || behind().isEmpty()) {
            // Flowing; if the wait ran out, it was on a weftd being restarted after an incident of its own.
            return fault.healed(state.micros(), true, null);
        }
        List<ClusterNode> cut = cutOff(behind());
        if (cut.isEmpty()) {
            return fault.healed(state.micros(), false, "none: pairs still behind, not one node's: " + behind());
        }
        List<String> replaced = new ArrayList<>();
        for (ClusterNode node : cut) {
            log.accept("[soak] " + RunState.clock(state.micros()) + " " + node + "'s pairs do not recover after "
                + fault.kind() + ": replacing the node");
            mesh.leave(node);
            Injector.sleepMs(Profile.LOSS_HORIZON_MS + 2500L);
            cluster.removeNode(node);
            mesh.forget(node);
            ledger.endNode(node.name());
            ClusterNode fresh = cluster.addNode();
            mesh.join(List.of(fresh));
            replaced.add(node + " replaced by " + fresh);
        }
        boolean flowing = awaitFlowing(wait);
        return fault.healed(flowing ? state.micros() : -1, false, String.join(", ", replaced)
            + (flowing ? "" : "; pairs still behind"));
    }

    private boolean awaitFlowing(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() - deadline < 0 && !state.stopRequested) {
            boolean restarting = cluster.nodes().stream().anyMatch(n -> state.expectedDown.contains(n.name())
                    || state.suspects.contains(n.name()))
                || state.micros() - state.lastRestartMicros < (BEHIND_SECONDS + 2) * 1_000_000L;
            if (!restarting && behind().isEmpty()) {
                return true;
            }
            Injector.sleepMs(1000);
        }
        return false;
    }

    private List<Pair> behind() {
        return ledger.pairsBehind((long) BEHIND_SECONDS * Profile.PROBES_PER_SECOND);
    }

    /** Live nodes three quarters of whose pairs are behind: cut off, not merely a peer of one that is. */
    private List<ClusterNode> cutOff(List<Pair> behind) {
        Map<String, Integer> behindCount = new HashMap<>();
        behind.forEach(p -> {
            behindCount.merge(Pair.node(p.from()), 1, Integer::sum);
            behindCount.merge(Pair.node(p.to()), 1, Integer::sum);
        });
        Map<String, Integer> activeCount = new HashMap<>();
        ledger.activePairs().forEach(p -> {
            activeCount.merge(Pair.node(p.from()), 1, Integer::sum);
            activeCount.merge(Pair.node(p.to()), 1, Integer::sum);
        });
        return cluster.nodes().stream().filter(n -> behindCount.getOrDefault(n.name(), 0) * 4
            >= activeCount.getOrDefault(n.name(), 0) * 3 && behindCount.getOrDefault(n.name(), 0) > 0).toList();
    }
}
