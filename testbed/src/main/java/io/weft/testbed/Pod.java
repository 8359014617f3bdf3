package io.weft.testbed;

import java.time.Duration;
import java.util.List;

/** A pod: namespace {@code <prefix>-<node>-<pod>} attached to its node by the real CNI plugins. */
public final class Pod implements Netns {
    private final Node node;
    private final String label;
    private final String name;
    private final CniResult cniResult;

    Pod(Node node, String label, String name, CniResult cniResult) {
        this.node = node;
        this.label = label;
        this.name = name;
        this.cniResult = cniResult;
    }

    public Node node() {
        return node;
    }

    public String label() {
        return label;
    }

    @Override
    public String name() {
        return name;
    }

    /** The pod's address without prefix length, from the CNI result's ips[0], e.g. {@code 10.244.1.2}. */
    public String ip() {
        return cniResult.firstIp().ip();
    }

    /** The final CNI result of the plugin chain. */
    public CniResult cniResult() {
        return cniResult;
    }

    @Override
    public ExecResult exec(Duration timeout, List<String> command) {
        return node.testbed().exec(name, timeout, command);
    }

    @Override
    public ManagedProcess start(String processName, List<String> command) {
        return node.testbed().start(name, processName, command);
    }

    @Override
    public String toString() {
        return name + "(" + (cniResult.ips().isEmpty() ? "no ip" : ip()) + ")";
    }
}
