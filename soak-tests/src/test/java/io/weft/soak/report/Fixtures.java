package io.weft.soak.report;

import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.LossEvent;
import io.weft.soak.observe.Pair;
import io.weft.soak.observe.ResourceSample;
import io.weft.soak.observe.SoakData;
import io.weft.soak.observe.TcpEvent;
import java.util.List;
import java.util.Map;

/** Small soak runs made by hand, for the report's logic. Times in seconds since the epoch. */
final class Fixtures {
    static final int SETTLE_SECONDS = 4;

    private Fixtures() {
    }

    static FaultRecord nodeFault(int index, String kind, String node, double start, double end) {
        return new FaultRecord(index, kind, true, "node-leave".equals(kind), node, micros(start), micros(end), "",
            null, micros(end + 1), true, null, 0);
    }

    static FaultRecord clusterFault(int index, String kind, double start, double end) {
        return new FaultRecord(index, kind, false, false, null, micros(start), micros(end), "", null, micros(end + 1),
            true, null, 0);
    }

    static LossEvent loss(String from, String to, double start, double end, long count) {
        return new LossEvent(new Pair(from, to), micros(start), micros(end), count, false);
    }

    static SoakData data(List<FaultRecord> faults, List<LossEvent> losses, List<TcpEvent> tcp,
        List<ResourceSample> resources) {
        SoakData.Meta meta = new SoakData.Meta("smoke", 4, 240, 1, "now", 200, 10, false, "cmd", "abc", "cluster",
            "machine", 20, SETTLE_SECONDS, 2000, 2000, 3, 10, 600, 0, micros(200), 100,
            List.of(new SoakData.KindInfo("weftd-kill", true, ""), new SoakData.KindInfo("etcd-down", false, ""),
                new SoakData.KindInfo("node-leave", true, "")));
        return new SoakData(meta, faults, losses, List.of(), List.of(), List.of(),
            new SoakData.LatencyRow(-1, 0, 0, 0, 0), tcp, List.of(), List.of(), resources, List.of(), Map.of(),
            List.of(), 1, List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }

    static long micros(double seconds) {
        return (long) (seconds * 1_000_000);
    }
}
