package io.weft.soak.observe;

import io.weft.soak.cluster.ClusterPod;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Everything the agents reported, by pair and by second: probes received, lost (gaps, and the tails of streams that
 * ended), duplicated, reordered; one-way latency per pair and per ten seconds; TCP events; corrupted probes.
 */
public final class ProbeLedger {
    /** Seconds per latency window of the timeline. */
    public static final int LATENCY_WINDOW_SECONDS = 10;
    private static final long TAIL_GRACE_MICROS = 1_500_000;

    private final PodDirectory directory;
    private final long periodMicros;
    private final long horizonMicros;
    private final Map<Pair, PairTotals> pairs = new TreeMap<>();
    private final TreeMap<Long, long[]> seconds = new TreeMap<>();
    private final TreeMap<Long, Histogram> latencyWindows = new TreeMap<>();
    private final List<LossEvent> losses = new ArrayList<>();
    private final List<TcpEvent> tcpEvents = new ArrayList<>();
    private final List<String> badProbes = new ArrayList<>();
    private final List<String> agentErrors = new ArrayList<>();
    private final List<PendingTail> pendingTails = new ArrayList<>();

    /** Columns of a second of the timeline. */
    public static final int RECEIVED = 0;
    public static final int LOST = 1;
    public static final int DUPLICATED = 2;
    public static final int REORDERED = 3;

    private record PendingTail(Pair pair, long lastSeq, long endMicros) {
    }

    /** One pair's counts over the run; {@code highest} and {@code lastSent} are the latest sequence numbers seen. */
    public static final class PairTotals {
        public long received;
        public long lost;
        public long duplicated;
        public long reordered;
        public long late;
        public long highest = -1;
        public long lastSent = -1;
        public boolean ended;
        public final Histogram latency = newHistogram();
    }

    public ProbeLedger(PodDirectory directory, long periodMicros, long horizonMicros) {
        this.directory = directory;
        this.periodMicros = periodMicros;
        this.horizonMicros = horizonMicros;
    }

    public static Histogram newHistogram() {
        return new Histogram(60_000_000L, 3);
    }

    /** One line of {@code reporter}'s agent. */
    public synchronized void accept(ClusterPod reporter, String line) {
        String[] f = line.split(" ");
        if (f.length < 2) {
            return;
        }
        long micros;
        try {
            micros = Long.parseLong(f[1]);
        } catch (NumberFormatException e) {
            agentErrors.add(reporter.id() + ": " + line);
            return;
        }
        switch (f[0]) {
            case "RX" -> {
                for (int i = 2; i < f.length; i++) {
                    String[] v = f[i].split(":");
                    PairTotals totals = totals(new Pair(directory.id(v[0]), reporter.id()));
                    long[] second = second(micros / 1_000_000);
                    totals.received += Long.parseLong(v[1]);
                    totals.duplicated += Long.parseLong(v[2]);
                    totals.reordered += Long.parseLong(v[3]);
                    totals.late += Long.parseLong(v[4]);
                    totals.highest = Math.max(totals.highest, Long.parseLong(v[6]));
                    second[RECEIVED] += Long.parseLong(v[1]);
                    second[DUPLICATED] += Long.parseLong(v[2]);
                    second[REORDERED] += Long.parseLong(v[3]);
                }
            }
            case "LOSS" -> addLoss(new LossEvent(new Pair(directory.id(f[2]), reporter.id()), Long.parseLong(f[5]),
                Long.parseLong(f[6]), Long.parseLong(f[4]) - Long.parseLong(f[3]) + 1, false));
            case "LAT" -> {
                Histogram interval = decode(f[3]);
                if (interval != null) {
                    totals(new Pair(directory.id(f[2]), reporter.id())).latency.add(interval);
                    latencyWindows.computeIfAbsent(micros / 1_000_000 / LATENCY_WINDOW_SECONDS,
                        w -> newHistogram()).add(interval);
                }
            }
            case "TX" -> {
                for (int i = 2; i < f.length; i++) {
                    String[] v = f[i].split(":");
                    PairTotals totals = totals(new Pair(reporter.id(), directory.id(v[0])));
                    totals.lastSent = Math.max(totals.lastSent, Long.parseLong(v[1]));
                }
            }
            case "TXEND" -> {
                Pair pair = new Pair(reporter.id(), directory.id(f[2]));
                PairTotals totals = totals(pair);
                totals.lastSent = Math.max(totals.lastSent, Long.parseLong(f[3]));
                totals.ended = true;
                pendingTails.add(new PendingTail(pair, Long.parseLong(f[3]), micros));
            }
            case "TCP" -> tcpEvents.add(new TcpEvent(micros, f[2], directory.id(f[3]), reporter.id(),
                Long.parseLong(f[4]), "resume".equals(f[2]) ? Long.parseLong(f[5]) : 0, rest(f, 5)));
            case "TCPSRC" -> tcpEvents.add(new TcpEvent(micros, f[2], reporter.id(), directory.id(f[3]),
                Long.parseLong(f[4]), 0, rest(f, 5)));
            case "BAD" -> badProbes.add(micros + " " + directory.id(f[2]) + "->" + reporter.id() + " length " + f[3]);
            case "ERROR" -> agentErrors.add(reporter.id() + ": " + line);
            default -> {
                // READY, BYE: lifecycle, nothing to count.
            }
        }
    }

    /**
     * Streams that ended more than the loss horizon ago: what the receiver never got of their last probes is lost.
     * The receiver of a stream to a pod that has left reports nothing more; the controller ends such streams while
     * the pod is still there.
     */
    public synchronized void settleTails(long nowMicros) {
        Iterator<PendingTail> pending = pendingTails.iterator();
        while (pending.hasNext()) {
            PendingTail tail = pending.next();
            if (nowMicros - tail.endMicros() < horizonMicros + TAIL_GRACE_MICROS) {
                continue;
            }
            pending.remove();
            long missing = tail.lastSeq() - totals(tail.pair()).highest;
            if (missing > 0) {
                addLoss(new LossEvent(tail.pair(), tail.endMicros() - missing * periodMicros, tail.endMicros(), missing,
                    true));
            }
        }
    }

    /** A node has left: its pods' streams end, whatever their agents last said. */
    public synchronized void endNode(String node) {
        pairs.forEach((pair, totals) -> {
            if (pair.involves(node)) {
                totals.ended = true;
            }
        });
    }

    /** Pairs whose receiver is more than {@code lagProbes} behind what was sent: an outage still going on. */
    public synchronized List<Pair> pairsBehind(long lagProbes) {
        List<Pair> behind = new ArrayList<>();
        pairs.forEach((pair, totals) -> {
            if (!totals.ended && totals.lastSent >= 0 && totals.lastSent - totals.highest > lagProbes) {
                behind.add(pair);
            }
        });
        return behind;
    }

    /** Pairs being probed now: sent to, not ended. */
    public synchronized List<Pair> activePairs() {
        List<Pair> active = new ArrayList<>();
        pairs.forEach((pair, totals) -> {
            if (!totals.ended && totals.lastSent >= 0) {
                active.add(pair);
            }
        });
        return active;
    }

    public synchronized long totalLost() {
        return losses.stream().mapToLong(LossEvent::count).sum();
    }

    public synchronized long totalReceived() {
        return pairs.values().stream().mapToLong(t -> t.received).sum();
    }

    /** Probes lost that were sent in [{@code fromSecond}, {@code toSecond}). */
    public synchronized long lostBetween(long fromSecond, long toSecond) {
        return seconds.subMap(fromSecond, toSecond).values().stream().mapToLong(s -> s[LOST]).sum();
    }

    public synchronized List<LossEvent> losses() {
        return List.copyOf(losses);
    }

    public synchronized List<TcpEvent> tcpEvents() {
        return List.copyOf(tcpEvents);
    }

    public synchronized List<String> badProbes() {
        return List.copyOf(badProbes);
    }

    public synchronized List<String> agentErrors() {
        return List.copyOf(agentErrors);
    }

    /** A copy of every pair's totals. */
    public synchronized Map<Pair, PairTotals> pairs() {
        return new TreeMap<>(pairs);
    }

    /** Second -> {received, lost, duplicated, reordered}. */
    public synchronized TreeMap<Long, long[]> seconds() {
        TreeMap<Long, long[]> copy = new TreeMap<>();
        seconds.forEach((second, counts) -> copy.put(second, counts.clone()));
        return copy;
    }

    /** Latency window index (ten seconds each) -> the one-way latencies of every pair in it, microseconds. */
    public synchronized TreeMap<Long, Histogram> latencyWindows() {
        return new TreeMap<>(latencyWindows);
    }

    private void addLoss(LossEvent loss) {
        losses.add(loss);
        totals(loss.pair()).lost += loss.count();
        // Spread over the seconds the lost probes were sent in.
        for (long n = 0; n < loss.count(); n++) {
            long micros = loss.count() == 1 ? loss.fromMicros()
                : loss.fromMicros() + n * (loss.toMicros() - loss.fromMicros()) / (loss.count() - 1);
            second(Math.floorDiv(micros, 1_000_000))[LOST]++;
        }
    }

    private PairTotals totals(Pair pair) {
        return pairs.computeIfAbsent(pair, p -> new PairTotals());
    }

    private long[] second(long second) {
        return seconds.computeIfAbsent(second, s -> new long[4]);
    }

    private static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (DataFormatException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String rest(String[] fields, int from) {
        return from >= fields.length ? "" : String.join(" ", List.of(fields).subList(from, fields.length));
    }
}
