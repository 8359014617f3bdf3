package io.weft.dataplane.node;

import io.weft.dataplane.lane.DataplaneCounter;
import io.weft.dataplane.lane.DataplaneCounters;
import io.weft.log.Log;
import java.util.List;

/**
 * Reports drops from the control side, so the packet path never logs: once a second it compares every drop counter
 * with its last value and logs one line per reason that grew. A flood of bad datagrams thus costs one line a second
 * per reason, and the first one is reported within a second.
 */
final class DropReporter {
    private static final DataplaneCounter[] ALL = DataplaneCounter.values();

    private final List<DataplaneCounters> lanes;
    private final long[] lastSeen = new long[ALL.length];

    DropReporter(final List<DataplaneCounters> lanes) {
        this.lanes = lanes;
    }

    /** Logs what grew since the last call; returns how many reasons did. */
    int report() {
        int reasons = 0;
        for (final DataplaneCounter counter : ALL) {
            if (!counter.isDrop()) {
                continue;
            }
            final long value = DataplaneCounters.sum(lanes, counter);
            final long grown = value - lastSeen[counter.ordinal()];
            if (grown > 0) {
                Log.warn("dropped " + grown + " packet(s): " + counter.series() + " total " + value);
                lastSeen[counter.ordinal()] = value;
                reasons++;
            }
        }
        return reasons;
    }
}
