package io.weft.testbed;

import java.time.Duration;
import java.util.List;

/** The underlay: namespace {@code <prefix>-ul} with bridge br0 (192.168.213.254/24) joining every node's eth0. */
public final class Hub implements Netns {
    /** Where shared services (etcd) listen; every node reaches it over its eth0. */
    public static final String IP = "192.168.213.254";
    public static final String BRIDGE = "br0";
    static final String LABEL = "ul";

    private final Testbed testbed;
    private final String name;

    private Hub(Testbed testbed, String name) {
        this.testbed = testbed;
        this.name = name;
    }

    static Hub create(Testbed testbed) {
        Hub hub = new Hub(testbed, testbed.namespaceName(LABEL));
        testbed.addNamespace(hub.name);
        testbed.host("ip", "-n", hub.name, "link", "set", "lo", "up");
        testbed.host("ip", "-n", hub.name, "link", "add", BRIDGE, "type", "bridge");
        testbed.host("ip", "-n", hub.name, "addr", "add", IP + "/" + Underlay.PREFIX_LENGTH, "dev", BRIDGE);
        testbed.host("ip", "-n", hub.name, "link", "set", BRIDGE, "up");
        return hub;
    }

    /** Enslaves a veth end (already in this namespace) to br0 and brings it up. */
    void attach(String port) {
        testbed.host("ip", "-n", name, "link", "set", port, "master", BRIDGE);
        testbed.host("ip", "-n", name, "link", "set", port, "up");
    }

    @Override
    public String name() {
        return name;
    }

    public String ip() {
        return IP;
    }

    @Override
    public ExecResult exec(Duration timeout, List<String> command) {
        return testbed.exec(name, timeout, command);
    }

    @Override
    public ManagedProcess start(String processName, List<String> command) {
        return testbed.start(name, processName, command);
    }

    @Override
    public String toString() {
        return name;
    }
}
