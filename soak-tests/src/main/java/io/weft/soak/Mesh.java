package io.weft.soak;

import io.weft.soak.agent.AgentSettings;
import io.weft.soak.agent.Peers;
import io.weft.soak.cluster.Agent;
import io.weft.soak.cluster.ClusterNode;
import io.weft.soak.cluster.ClusterPod;
import io.weft.soak.cluster.SoakCluster;
import io.weft.soak.observe.PodDirectory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Who talks to whom: every pod probes every pod on another node; the nodes, in join order, form a ring in which pod
 * {@code a} keeps a pattern connection to the next node's {@code b} and pod {@code b} to {@code a} two nodes on. The
 * mesh follows membership: a node about to leave is taken out first, so its streams end while both ends still run.
 */
final class Mesh {
    private final SoakCluster cluster;
    private final AgentSettings template;
    private final long seed;
    private final PodDirectory directory;
    private final Map<ClusterPod, Agent> agents = new LinkedHashMap<>();
    private final Map<ClusterPod, Agent> retired = new LinkedHashMap<>();
    private final List<ClusterNode> active = new ArrayList<>();
    private boolean spread;

    Mesh(SoakCluster cluster, AgentSettings template, long seed, PodDirectory directory) {
        this.cluster = cluster;
        this.template = template;
        this.seed = seed;
        this.directory = directory;
    }

    /** Starts an agent in every pod of {@code nodes} (in parallel: each is a JVM start), then adds them to the mesh. */
    void join(List<ClusterNode> nodes) {
        List<ClusterPod> pods = new ArrayList<>();
        nodes.forEach(node -> pods.addAll(cluster.pods(node)));
        pods.forEach(directory::add);
        ExecutorService starter = Executors.newFixedThreadPool(Math.min(8, Math.max(1, pods.size())));
        try {
            Map<ClusterPod, Future<Agent>> started = new LinkedHashMap<>();
            for (ClusterPod pod : pods) {
                started.put(pod, starter.submit(() -> cluster.startAgent(pod, template)));
            }
            for (Map.Entry<ClusterPod, Future<Agent>> entry : started.entrySet()) {
                Agent agent = entry.getValue().get();
                synchronized (this) {
                    agents.put(entry.getKey(), agent);
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("an agent did not start: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted starting agents", e);
        } finally {
            starter.shutdownNow();
        }
        synchronized (this) {
            active.addAll(nodes);
        }
        publish();
    }

    /** Takes the node's pods out of every peer list (and ends their own streams); its agents keep running. */
    void leave(ClusterNode node) {
        synchronized (this) {
            active.remove(node);
        }
        publish();
    }

    /**
     * Forgets the agents of a node that has left; their last reports (written as they stopped) are still to be read,
     * once, through {@link #takeRetired()}.
     */
    synchronized void forget(ClusterNode node) {
        agents.entrySet().removeIf(entry -> {
            if (entry.getKey().node().equals(node)) {
                retired.put(entry.getKey(), entry.getValue());
                return true;
            }
            return false;
        });
    }

    /** Agents forgotten since the last call, for a last reading of their reports. */
    synchronized Map<ClusterPod, Agent> takeRetired() {
        Map<ClusterPod, Agent> taken = new LinkedHashMap<>(retired);
        retired.clear();
        return taken;
    }

    /**
     * Spreads the agents' probes over the period (true) or sends them all on one tick (false, the default): the
     * second is gentle with weftd's idle polling, the first is what unsynchronised traffic does to it.
     */
    void spread(boolean spreadOverPeriod) {
        synchronized (this) {
            spread = spreadOverPeriod;
        }
        publish();
    }

    /** Ends every stream and connection: the run is over. */
    void endAll() {
        synchronized (this) {
            active.clear();
        }
        publish();
    }

    synchronized Map<ClusterPod, Agent> agents() {
        return new LinkedHashMap<>(agents);
    }

    private void publish() {
        Map<ClusterPod, Peers> peers;
        synchronized (this) {
            peers = peers();
        }
        peers.forEach((pod, list) -> agents().get(pod).setPeers(list));
    }

    /** Every agent's peers, given the active nodes; pods of inactive nodes get none. */
    private Map<ClusterPod, Peers> peers() {
        Map<ClusterNode, List<ClusterPod>> podsOf = new LinkedHashMap<>();
        agents.keySet().forEach(pod -> podsOf.computeIfAbsent(pod.node(), n -> new ArrayList<>()).add(pod));
        Map<ClusterPod, Peers> peers = new LinkedHashMap<>();
        List<ClusterPod> all = new ArrayList<>(agents.keySet());
        for (ClusterPod pod : agents.keySet()) {
            long phase = spread ? all.indexOf(pod) * template.periodMicros() / all.size() : 0;
            if (!active.contains(pod.node())) {
                peers.put(pod, Peers.NONE);
                continue;
            }
            List<String> udp = new ArrayList<>();
            for (ClusterNode node : active) {
                if (!node.equals(pod.node())) {
                    podsOf.getOrDefault(node, List.of()).forEach(peer -> udp.add(peer.ip()));
                }
            }
            Map<String, Long> tcp = new HashMap<>();
            int k = active.size();
            if (k > 1) {
                int i = active.indexOf(pod.node());
                boolean first = pod.name().equals(podsOf.get(pod.node()).get(0).name());
                ClusterNode target = active.get((i + (first || k < 3 ? 1 : 2)) % k);
                List<ClusterPod> targetPods = podsOf.getOrDefault(target, List.of());
                if (!targetPods.isEmpty()) {
                    ClusterPod peer = targetPods.get(first ? targetPods.size() - 1 : 0);
                    tcp.put(peer.ip(), seed ^ ((long) pod.id().hashCode() << 32) ^ peer.id().hashCode());
                }
            }
            peers.put(pod, new Peers(udp, tcp, phase));
        }
        return peers;
    }
}
