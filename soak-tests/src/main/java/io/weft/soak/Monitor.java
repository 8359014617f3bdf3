package io.weft.soak;

import io.weft.soak.cluster.Agent;
import io.weft.soak.cluster.ClusterNode;
import io.weft.soak.cluster.ClusterPod;
import io.weft.testbed.ProcessSample;
import io.weft.soak.cluster.SoakCluster;
import io.weft.soak.observe.CounterSample;
import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.MachineStall;
import io.weft.soak.observe.Observations;
import io.weft.soak.observe.ResourceSample;
import io.weft.soak.observe.TcpEvent;
import io.weft.soak.observe.WeftdExit;
import io.weft.soak.report.Verdicts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The soak's eyes, on threads of their own while faults run. Every second: the agents' reports, and a check that
 * every weftd not stopped on purpose still runs (one that exited is started again, as a kubelet would). Every few
 * seconds, on another thread so that a slow answer never delays the reports: each weftd sampled (memory, threads,
 * fds, CPU, counters), its liveness (a weftd whose /metrics stops answering is killed and started again, as a liveness
 * probe would), and the subnet audit. A third thread notes when the machine itself stalls.
 */
final class Monitor {
    private static final List<String> KEPT_SERIES_PREFIXES = List.of("weft_drops_total", "weft_leases_known",
        "weft_tun_repairs_total", "weft_registry_", "weft_packets_total", "weft_icmp_unreachable_sent_total");
    /** Samples in a row without /metrics before a running weftd counts as hung. */
    private static final int LIVENESS_FAILURES = 3;
    private static final long WATCHDOG_SLEEP_MS = 100;
    /** The controller oversleeping by this much means the machine stalled. */
    private static final long STALL_MICROS = 1_000_000;

    private final SoakCluster cluster;
    private final Mesh mesh;
    private final Observations observations;
    private final RunState state;
    private final Profile profile;
    private final Consumer<String> log;
    private final int plannedFaults;
    private final long plannedMicros;
    private final List<FaultRecord> faults;
    private final AtomicInteger incidents = new AtomicInteger();
    private final Map<String, Integer> livenessFailures = new ConcurrentHashMap<>();
    /** When each node's weftd last answered /metrics: a hung one stopped forwarding about then. */
    private final Map<String, Long> lastAnswered = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;
    private long lastProgressMicros;

    Monitor(SoakCluster cluster, Mesh mesh, Observations observations, RunState state, Profile profile,
        Consumer<String> log, int plannedFaults, long plannedMicros, List<FaultRecord> faults) {
        this.cluster = cluster;
        this.mesh = mesh;
        this.observations = observations;
        this.state = state;
        this.profile = profile;
        this.log = log;
        this.plannedFaults = plannedFaults;
        this.plannedMicros = plannedMicros;
        this.faults = faults;
    }

    void start() {
        threads.add(loop("soak-monitor", 1000, () -> {
            drain();
            checkExits();
            progress();
        }));
        threads.add(loop("soak-sampler", profile.sampleSeconds * 1000L, this::sample));
        threads.add(watchdog());
    }

    void stop() {
        stopped = true;
        for (Thread thread : threads) {
            thread.interrupt();
            try {
                thread.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Thread loop(String name, long periodMs, Runnable step) {
        Thread thread = new Thread(() -> {
            while (!stopped) {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    observations.notes.add(RunState.clock(state.micros()) + " " + name + ": " + e);
                }
                try {
                    Thread.sleep(periodMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private Thread watchdog() {
        Thread thread = new Thread(() -> {
            long last = state.micros();
            while (!stopped) {
                try {
                    Thread.sleep(WATCHDOG_SLEEP_MS);
                } catch (InterruptedException e) {
                    return;
                }
                long now = state.micros();
                if (now - last - WATCHDOG_SLEEP_MS * 1000 > STALL_MICROS) {
                    observations.machineStalls.add(new MachineStall(last, now));
                }
                last = now;
            }
        }, "soak-watchdog");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Reads every agent's new report lines, and the last ones of agents whose node has left. */
    void drain() {
        Map<ClusterPod, Agent> agents = mesh.takeRetired();
        agents.putAll(mesh.agents());
        for (Map.Entry<ClusterPod, Agent> entry : agents.entrySet()) {
            for (String line : entry.getValue().drain()) {
                observations.ledger.accept(entry.getKey(), line);
            }
        }
        observations.ledger.settleTails(state.micros());
    }

    private void checkExits() {
        for (ClusterNode node : cluster.nodes()) {
            if (state.expectedDown.contains(node.name())) {
                continue;
            }
            Optional<Integer> exit;
            try {
                exit = cluster.weftdExit(node);
            } catch (IllegalArgumentException e) {
                continue; // left meanwhile
            }
            if (exit.isPresent() && state.expectedDown.add(node.name())) {
                incident(node, "exited with " + exit.get(), exit.get(), false);
            }
        }
    }

    /**
     * A weftd exited or hung on its own: recorded, (killed and) started again, and kept as an incident so that what
     * it costs is its own, blamed on the fault it happened under when that fault was its node's or the cluster's.
     */
    private void incident(ClusterNode node, String what, int code, boolean kill) {
        long start = kill ? lastAnswered.getOrDefault(node.name(), state.micros()) : state.micros() - 1_000_000;
        // An exit is seen within a second of it: the fault under way when it is seen is the one it happened under.
        int cause = cause(node.name(), kill ? start : state.micros());
        String logTail = cluster.weftdLogTail(node, 30);
        String crash = Verdicts.nativeCrash(logTail);
        if (kill) {
            cluster.killWeftd(node);
        }
        observations.exits.add(new WeftdExit(start, node.name(), code, what + "\n" + logTail));
        log.accept("[soak] " + RunState.clock(state.micros()) + " weftd on " + node + " " + what + " without being"
            + " stopped" + (cause > 0 ? " (under fault #" + cause + ")" : "") + ": starting it again");
        int index = FaultRecord.FIRST_INCIDENT + incidents.getAndIncrement();
        Thread restart = new Thread(() -> {
            String detail = what + crash;
            try {
                cluster.startWeftd(node, Profile.HEALTHY_TIMEOUT);
                detail += "; started again, healthy";
            } catch (RuntimeException e) {
                detail += "; could not be started again: " + String.valueOf(e.getMessage()).lines().findFirst()
                    .orElse("");
            } finally {
                long end = state.micros();
                faults.add(new FaultRecord(index, FaultRecord.INCIDENT, true, false, node.name(), start, end, detail,
                    null, end, true, null, cause));
                livenessFailures.remove(node.name());
                state.suspects.remove(node.name());
                state.lastRestartMicros = end;
                state.expectedDown.remove(node.name());
            }
        }, "restart-" + node);
        restart.setDaemon(true);
        restart.start();
    }

    /** The fault under way (or just over) at {@code micros} on this node or the whole cluster, or 0. */
    private int cause(String node, long micros) {
        RunState.InProgress current = state.inProgress;
        if (current != null && current.startMicros() <= micros && (current.node() == null
            || current.node().equals(node))) {
            return current.index();
        }
        synchronized (faults) {
            for (int i = faults.size() - 1; i >= 0; i--) {
                FaultRecord f = faults.get(i);
                if (f.index() < FaultRecord.FIRST_INCIDENT && (f.node() == null || f.node().equals(node))
                    && f.startMicros() <= micros && micros <= f.settledMicros() + profile.settleSeconds * 1_000_000L) {
                    return f.index();
                }
            }
        }
        return 0;
    }

    void sample() {
        long now = state.micros();
        for (ClusterNode node : cluster.nodes()) {
            try {
                sample(node, now);
            } catch (IllegalArgumentException e) {
                // The node left between listing and sampling.
            }
        }
        mesh.agents().forEach((pod, agent) -> {
            Map<String, Long> udp = agent.udpCounters();
            if (!udp.isEmpty()) {
                observations.podUdp.put(pod.id(), udp);
            }
        });
        if (!state.etcdDown) {
            audit(now);
        }
    }

    private void sample(ClusterNode node, long now) {
        Optional<ProcessSample> process = cluster.sampleWeftd(node);
        process.ifPresent(s -> observations.resources.add(new ResourceSample(now, node.name(), s.pid(), s.rssKb(),
            s.heapUsedBytes(), s.threads(), s.fds(), s.cpuTicks())));
        Optional<Map<String, Number>> metrics = cluster.weftdMetrics(node);
        if (metrics.isPresent() && process.isPresent()) {
            livenessFailures.remove(node.name());
            state.suspects.remove(node.name());
            lastAnswered.put(node.name(), now);
            Map<String, Long> kept = new LinkedHashMap<>();
            metrics.get().forEach((series, value) -> {
                if (KEPT_SERIES_PREFIXES.stream().anyMatch(series::startsWith)) {
                    kept.put(series, value.longValue());
                }
            });
            observations.counters.add(new CounterSample(now, node.name(), process.get().pid(), kept,
                cluster.nodeUdpCounters(node)));
        } else if (process.isPresent() && !state.expectedDown.contains(node.name())) {
            state.suspects.add(node.name());
            if (livenessFailures.merge(node.name(), 1, Integer::sum) >= LIVENESS_FAILURES
                && state.expectedDown.add(node.name())) {
                incident(node, "hung: /metrics did not answer " + LIVENESS_FAILURES + " samples in a row; killed, as"
                    + " a liveness probe would", -9, true);
            }
        }
    }

    private void audit(long now) {
        Map<String, String> subnets;
        try {
            subnets = cluster.registry().subnets();
        } catch (RuntimeException e) {
            return; // etcd unreachable for a moment: nothing to compare with
        }
        Map<ClusterNode, Optional<String>> leased = new LinkedHashMap<>();
        Map<ClusterNode, List<ClusterPod>> pods = new LinkedHashMap<>();
        for (ClusterNode node : cluster.nodes()) {
            try {
                leased.put(node, cluster.leasedSubnet(node));
                pods.put(node, cluster.pods(node));
            } catch (IllegalArgumentException e) {
                // left meanwhile
            }
        }
        observations.audit.check(now, leased, subnets, pods);
    }

    private void progress() {
        long now = state.micros();
        if (now - lastProgressMicros < profile.progressSeconds * 1_000_000L) {
            return;
        }
        lastProgressMicros = now;
        long received = observations.ledger.totalReceived();
        long lost = observations.ledger.totalLost();
        long second = now / 1_000_000;
        long recent = observations.ledger.lostBetween(second - profile.progressSeconds - 3, second - 3);
        List<TcpEvent> tcp = observations.ledger.tcpEvents();
        long breaks = tcp.stream().filter(e -> List.of("corrupt", "error").contains(e.type())
            || "closed".equals(e.type()) && !e.detail().startsWith("eof")).count();
        long stalls = tcp.stream().filter(e -> "stall".equals(e.type())).count();
        int behind = observations.ledger.pairsBehind(3L * Profile.PROBES_PER_SECOND).size();
        log.accept(String.format("[soak] %s / %s  faults %d/%d%s  probes %,d received, %,d lost (%,d in the last %d s)"
            + "  pairs behind %d  tcp breaks %d stalls %d  weftd exits %d", RunState.clock(now),
            RunState.clock(plannedMicros), state.faultsDone.get(), plannedFaults,
            state.currentFault.isEmpty() ? "" : " (" + state.currentFault + ")", received, lost, recent,
            profile.progressSeconds, behind, breaks, stalls, observations.exits.size()));
    }
}
