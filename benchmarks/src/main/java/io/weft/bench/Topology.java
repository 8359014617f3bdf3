package io.weft.bench;

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

    @Override
    public void close() {
        testbed.close();
    }
}
