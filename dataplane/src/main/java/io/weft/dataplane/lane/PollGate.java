package io.weft.dataplane.lane;

import java.util.concurrent.TimeUnit;

/**
 * Whether a lane in {@code adaptive} mode polls after its last packet: where the lane is busy, where polling pays,
 * or where its packets are sparse.
 * <ul>
 * <li>Busy: the lane made at least {@link #BUSY_READS_PER_SECOND} reads with something in them a second (a TUN read
 * or a receive, each a packet or a super-packet) in this period or the last, as in a bulk stream. There an idle
 * period is often the time the lane yielded its core to the pod that shares it, and may end after the window;
 * blocking then makes the next packet wait for a wake-up, which lengthens the next idle period too, so a stream can,
 * it seems, settle at a lower rate (docs/idle-and-latency.md). A busy lane polls, as {@code backoff} does.</li>
 * <li>Pays: most of the lane's recent idle periods (at least {@link #PAYING_PERCENT} %, weighted to the last eight
 * or so) ended within the poll window, as in a TCP stream's acknowledgements or a request/response
 * exchange at thousands a second. Each poll there saves a wake-up of the core per hop, so it polls, however
 * often.</li>
 * <li>Sparse: the lane went idle so seldom in this period and the last that polling every time, a whole window
 * each, would take at most {@link #SPARSE_PERCENT} % of a core: a ping every few milliseconds gets its reply polled
 * for, as with {@code backoff}.</li>
 * </ul>
 * Otherwise it blocks at once, as {@code block} does: a flow of a thousand packets a second, whose idle periods end
 * after the window or, a request and its reply on one lane, every other one, no longer costs a window per packet.
 * An idle period counts as within the window whether it polled or blocked (then with the wake-up in it), so a flow
 * that speeds up is seen through the wake-ups it pays. One lane thread owns it; not thread-safe; times in
 * {@link System#nanoTime()}.
 */
final class PollGate {
    /** Polling pays where at least this share of the recent idle periods ended within the window. */
    static final int PAYING_PERCENT = 75;
    /** Sparse: polling every idle period in full would take at most this share of one core. */
    static final int SPARSE_PERCENT = 10;
    /**
     * Busy: at least this many reads with something in them a second; a thousand pings a second, which should not
     * poll, make at most two thousand on a lane (the request and the reply).
     */
    static final int BUSY_READS_PER_SECOND = 5_000;
    static final long DEFAULT_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The share within the window, in 1/{@value} (fixed point: no floating point per packet). */
    private static final int ALL = 256;
    /** The share moves by this fraction (a power of two) of each new outcome: about the last eight count. */
    private static final int AVERAGE_SHIFT = 3;

    private final long pollNanos;
    private final long periodNanos;
    private final long sparseIdlePeriods;
    private final long busyReads;
    private int withinWindow = ALL;
    /** Whether a period has begun: {@link System#nanoTime()} has no fixed origin, so 0 is no "long ago". */
    private boolean started;
    private long periodStart;
    private long idlePeriodsThisPeriod;
    private long idlePeriodsLastPeriod;
    private long readsThisPeriod;
    private long readsLastPeriod;

    PollGate(final long pollNanos) {
        this(pollNanos, DEFAULT_PERIOD_NANOS);
    }

    PollGate(final long pollNanos, final long periodNanos) {
        this.pollNanos = pollNanos;
        this.periodNanos = periodNanos;
        this.sparseIdlePeriods = periodNanos * SPARSE_PERCENT / 100 / pollNanos;
        this.busyReads = Math.max(1, BUSY_READS_PER_SECOND * periodNanos / TimeUnit.SECONDS.toNanos(1));
    }

    /** Whether the idle period that begins at {@code now} polls. */
    boolean shouldPoll(final long now) {
        if (!started || now - periodStart >= periodNanos) {
            // The period before is this one's history only if it was the last: after a silence nothing is recent.
            final boolean lastWasRecent = started && now - periodStart < 2 * periodNanos;
            idlePeriodsLastPeriod = lastWasRecent ? idlePeriodsThisPeriod : 0;
            // As a rate over the time the reads took: a lane busy for longer than a period without going idle
            // stays busy, and after a silence its reads count for next to nothing.
            readsLastPeriod = started ? readsThisPeriod * periodNanos / (now - periodStart) : 0;
            started = true;
            idlePeriodsThisPeriod = 0;
            readsThisPeriod = 0;
            periodStart = now;
        }
        idlePeriodsThisPeriod++;
        return Math.max(readsThisPeriod, readsLastPeriod) >= busyReads
            || withinWindow * 100 >= PAYING_PERCENT * ALL
            || Math.max(idlePeriodsThisPeriod, idlePeriodsLastPeriod) <= sparseIdlePeriods;
    }

    /** A turn of the lane made {@code reads} reads with something in them. */
    void worked(final int reads) {
        readsThisPeriod += reads;
    }

    /** Work came {@code gapNanos} after the lane went idle. */
    void idleEnded(final long gapNanos) {
        withinWindow += ((gapNanos < pollNanos ? ALL : 0) - withinWindow) >> AVERAGE_SHIFT;
    }
}
