package io.weft.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Pins each node's user-space processes to one CPU with {@code taskset}: everything of node 1 (its pod's tools, its
 * weftd) on {@code cpu1}, node 2's on {@code cpu2}, so sender and receiver never share a core. The kernel's softirq
 * work (veth, bridge, VXLAN) runs wherever the kernel puts it, mostly on the sending CPU.
 */
final class Pinning {
    private final boolean enabled;
    private final int cpu1;
    private final int cpu2;

    private Pinning(boolean enabled, int cpu1, int cpu2) {
        this.enabled = enabled;
        this.cpu1 = cpu1;
        this.cpu2 = cpu2;
    }

    static Pinning of(int cpu1, int cpu2) {
        return new Pinning(true, cpu1, cpu2);
    }

    static Pinning off() {
        return new Pinning(false, -1, -1);
    }

    boolean enabled() {
        return enabled;
    }

    /** {@code command} prefixed with {@code taskset -c CPU} for node 1 or 2 (1-based), or unchanged when off. */
    List<String> wrap(int node, List<String> command) {
        if (!enabled) {
            return command;
        }
        List<String> pinned = new ArrayList<>(List.of("taskset", "-c", Integer.toString(cpu(node))));
        pinned.addAll(command);
        return pinned;
    }

    String describe() {
        return enabled
            ? "taskset: node 1's processes (pod tools, weftd) on CPU " + cpu1 + ", node 2's on CPU " + cpu2
                + " (weftd started pinned, so it sizes itself for one CPU: one lane); kernel softirq work is not pinned"
            : "off: processes run on any CPU";
    }

    private int cpu(int node) {
        return switch (node) {
            case 1 -> cpu1;
            case 2 -> cpu2;
            default -> throw new IllegalArgumentException("node must be 1 or 2: " + node);
        };
    }
}
