package io.weft.soak;

import io.weft.soak.cluster.ClusterNode;
import io.weft.soak.cluster.ClusterPod;
import io.weft.soak.cluster.SoakCluster;
import io.weft.soak.observe.BurstRecord;
import io.weft.soak.observe.Observations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Bulk iperf3 transfers between two pods of different nodes, now and then, so faults also land under load. */
final class Bursts implements Runnable {
    private final SoakCluster cluster;
    private final Observations observations;
    private final RunState state;
    private final Profile profile;
    private final Random random;
    private volatile boolean stopped;

    Bursts(SoakCluster cluster, Observations observations, RunState state, Profile profile, long seed) {
        this.cluster = cluster;
        this.observations = observations;
        this.state = state;
        this.profile = profile;
        this.random = new Random(seed);
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        long next = state.micros() + profile.burstEverySeconds * 500_000L;
        while (!stopped) {
            if (state.micros() < next) {
                sleep();
                continue;
            }
            next += profile.burstEverySeconds * 1_000_000L;
            List<ClusterNode> nodes = new ArrayList<>(cluster.nodes());
            if (nodes.size() < 2) {
                continue;
            }
            ClusterNode clientNode = nodes.remove(random.nextInt(nodes.size()));
            ClusterNode serverNode = nodes.get(random.nextInt(nodes.size()));
            long start = state.micros();
            try {
                ClusterPod client = pick(cluster.pods(clientNode));
                ClusterPod server = pick(cluster.pods(serverNode));
                SoakCluster.Burst burst = cluster.bulkBurst(server, client, Duration.ofSeconds(profile.burstSeconds),
                    profile.burstBitrate);
                observations.bursts.add(new BurstRecord(start, state.micros(), client.id(), server.id(),
                    burst.receivedBitsPerSecond(), burst.error()));
            } catch (RuntimeException e) {
                observations.bursts.add(new BurstRecord(start, state.micros(), clientNode.name(), serverNode.name(), 0,
                    String.valueOf(e.getMessage()).lines().findFirst().orElse("failed")));
            }
        }
    }

    private ClusterPod pick(List<ClusterPod> pods) {
        return pods.get(random.nextInt(pods.size()));
    }

    private void sleep() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            stopped = true;
        }
    }
}
