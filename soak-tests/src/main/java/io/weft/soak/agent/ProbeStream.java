package io.weft.soak.agent;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What a receiver saw of one sender's probes. A gap in the sequence is held as missing until it is older than the
 * loss horizon, so a probe that arrives late within it counts as reordered, not lost; after that the gap is reported
 * as a {@link Loss} whose send times are interpolated between the probes around it. A sequence at or below the
 * highest one seen that is not missing is a duplicate, or late when it belongs to a gap already reported.
 */
final class ProbeStream {
    /** Probes {@code fromSeq..toSeq} never arrived; sent, by interpolation, between the two times. */
    record Loss(long fromSeq, long toSeq, long fromMicros, long toMicros) {
        long count() {
            return toSeq - fromSeq + 1;
        }
    }

    /** Counts since the last {@link #takeCounts()}; {@code highest} is the highest sequence seen so far. */
    record Counts(long received, long duplicates, long reordered, long late, long maxLatencyMicros, long highest) {
    }

    /** A run of missing sequences and the two received probes that bound it, to interpolate send times. */
    private record Gap(long from, long to, long lowSeq, long lowMicros, long highSeq, long highMicros) {
        long micros(long seq) {
            return lowMicros + (seq - lowSeq) * (highMicros - lowMicros) / (highSeq - lowSeq);
        }
    }

    private static final int REPORTED_KEPT = 64;

    private final long periodMicros;
    private final TreeMap<Long, Gap> missing = new TreeMap<>();
    private final ArrayDeque<Loss> reported = new ArrayDeque<>();
    private long highest = -1;
    private long highestSendMicros;
    private long received;
    private long duplicates;
    private long reordered;
    private long late;
    private long maxLatencyMicros;

    ProbeStream(long periodMicros) {
        this.periodMicros = periodMicros;
    }

    void onProbe(long seq, long sendMicros, long nowMicros) {
        maxLatencyMicros = Math.max(maxLatencyMicros, nowMicros - sendMicros);
        if (seq > highest) {
            if (seq > highest + 1) {
                // Before the first probe: the sender starts at 0 and sends one probe per period.
                long lowMicros = highest < 0 ? sendMicros - (seq + 1) * periodMicros : highestSendMicros;
                missing.put(highest + 1, new Gap(highest + 1, seq - 1, highest, lowMicros, seq, sendMicros));
            }
            highest = seq;
            highestSendMicros = sendMicros;
            received++;
            return;
        }
        Map.Entry<Long, Gap> entry = missing.floorEntry(seq);
        if (entry != null && entry.getValue().to() >= seq) {
            Gap gap = entry.getValue();
            missing.remove(gap.from());
            if (gap.from() < seq) {
                missing.put(gap.from(), new Gap(gap.from(), seq - 1, gap.lowSeq(), gap.lowMicros(), gap.highSeq(),
                    gap.highMicros()));
            }
            if (seq < gap.to()) {
                missing.put(seq + 1, new Gap(seq + 1, gap.to(), gap.lowSeq(), gap.lowMicros(), gap.highSeq(),
                    gap.highMicros()));
            }
            reordered++;
            received++;
            return;
        }
        if (reported.stream().anyMatch(loss -> loss.fromSeq() <= seq && seq <= loss.toSeq())) {
            late++;
        } else {
            duplicates++;
        }
    }

    /** Reports, oldest first, every gap whose last probe was sent more than {@code horizonMicros} ago. */
    void expire(long nowMicros, long horizonMicros, Consumer<Loss> sink) {
        Iterator<Gap> gaps = missing.values().iterator();
        while (gaps.hasNext()) {
            Gap gap = gaps.next();
            long toMicros = gap.micros(gap.to());
            if (nowMicros - toMicros <= horizonMicros) {
                break; // later gaps were sent later still
            }
            gaps.remove();
            Loss loss = new Loss(gap.from(), gap.to(), gap.micros(gap.from()), toMicros);
            reported.addLast(loss);
            if (reported.size() > REPORTED_KEPT) {
                reported.removeFirst();
            }
            sink.accept(loss);
        }
    }

    Counts takeCounts() {
        Counts counts = new Counts(received, duplicates, reordered, late, maxLatencyMicros, highest);
        received = 0;
        duplicates = 0;
        reordered = 0;
        late = 0;
        maxLatencyMicros = 0;
        return counts;
    }

    boolean hasActivity() {
        return received + duplicates + reordered + late > 0;
    }
}
