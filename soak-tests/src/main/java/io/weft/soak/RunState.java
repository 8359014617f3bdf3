package io.weft.soak;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** What the fault thread tells the monitor: which weftd are down on purpose, whether etcd is, what is going on. */
final class RunState {
    final long epochNanos;
    /** Nodes whose weftd the soak itself stopped (or is restarting): their exit is no finding. */
    final Set<String> expectedDown = ConcurrentHashMap.newKeySet();
    /** Nodes whose weftd did not answer its last /metrics: maybe hung, and about to be restarted if so. */
    final Set<String> suspects = ConcurrentHashMap.newKeySet();
    final AtomicInteger faultsDone = new AtomicInteger();
    volatile boolean etcdDown;
    volatile String currentFault = "";
    /** The fault being injected, if any: an incident under it is blamed on it when it is the same node's. */
    volatile InProgress inProgress;

    /** A fault being injected: its number, kind, node (null for a cluster fault) and start. */
    record InProgress(int index, String kind, String node, long startMicros) {
    }
    volatile boolean stopRequested;
    /** When the last weftd that exited on its own was running again: its pods' fate shows only seconds later. */
    volatile long lastRestartMicros = Long.MIN_VALUE / 2;

    RunState(long epochNanos) {
        this.epochNanos = epochNanos;
    }

    long micros() {
        return (System.nanoTime() - epochNanos) / 1000;
    }

    static String clock(long micros) {
        long seconds = Math.max(0, micros / 1_000_000);
        return String.format("%02d:%02d", seconds / 60, seconds % 60);
    }
}
