package io.weft.bench;

import io.weft.testbed.ExecResult;
import io.weft.testbed.Pod;
import io.weft.testbed.Testbed;
import java.util.List;

/**
 * One variant's two-node cluster in its own {@link Testbed}: pod 1 on node 1 talks to pod 2 on node 2. The dataplane
 * pids are the user-space processes that carry the traffic (weftd), empty for kernel dataplanes. Closing it tears the
 * whole testbed down.
 */
record Topology(Testbed testbed, Pod pod1, Pod pod2, List<Long> dataplanePids) implements AutoCloseable {

    Topology {
        dataplanePids = List.copyOf(dataplanePids);
    }

    private static final String TCP_CONGESTION_CONTROL = "net.ipv4.tcp_congestion_control";

    /**
     * Makes every TCP connection of both pods use {@code algorithm} (a per-namespace sysctl, so the machine's own
     * default stays as it is), and reads it back: an algorithm the kernel cannot load fails here, naming it.
     */
    void useTcpCongestionControl(String algorithm) {
        for (Pod pod : List.of(pod1, pod2)) {
            ExecResult set = pod.exec("sysctl", "-qw", TCP_CONGESTION_CONTROL + "=" + algorithm);
            String now = pod.exec("sysctl", "-n", TCP_CONGESTION_CONTROL).orThrow().stdout().trim();
            if (!set.ok() || !now.equals(algorithm)) {
                throw new IllegalStateException("cannot make " + pod + " use TCP congestion control '" + algorithm
                    + "' (it uses '" + now + "'; available: " + pod.exec("sysctl", "-n",
                    "net.ipv4.tcp_available_congestion_control").stdout().trim() + "): " + set.stderr().trim());
            }
        }
    }

    @Override
    public void close() {
        testbed.close();
    }
}
