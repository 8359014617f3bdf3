package io.weft.dataplane.lane;

/**
 * Whether polling after a lane's last packet will pay, that is, whether the next packet will come within the poll
 * window, learned from what the last idle periods did: a two-bit saturating counter per outcome of the idle period
 * before (as a branch predictor with one bit of history). A request/response exchange alternates (after a request
 * goes out its reply comes at once, after the reply nothing comes for a while) and is learned as such, so the lane
 * polls for the reply and blocks after it; a sparse one-way flow stops the polling; a busy one keeps it. It starts
 * out polling, as the fixed window does, and tries polling again now and then where it learned not to.
 * <p>
 * One lane thread owns it; not thread-safe.
 */
final class PollPredictor {
    private static final int PAID = 1;
    private static final int STRONGLY_POLL = 3;
    private static final int POLL_FROM = 2;
    /**
     * A learned "do not poll" is tried again every this many idle periods: a period that blocked measures the gap to
     * the next packet with the wake-up in it, which is what polling saves, so an exchange whose replies come just
     * inside the window could otherwise be learned as not paying for good.
     */
    static final int RETRY_EVERY = 16;

    /** Per outcome of the idle period before: 0..3, polls from 2. */
    private final int[] counters = {STRONGLY_POLL, STRONGLY_POLL};
    private int lastOutcome = PAID;
    private int notPolled;

    boolean shouldPoll() {
        if (counters[lastOutcome] >= POLL_FROM) {
            return true;
        }
        notPolled++;
        if (notPolled == RETRY_EVERY) {
            notPolled = 0;
            return true;
        }
        return false;
    }

    /** What the idle period that just ended did: did the next packet come within the poll window? */
    void record(final boolean paid) {
        final int counter = counters[lastOutcome];
        counters[lastOutcome] = paid ? Math.min(STRONGLY_POLL, counter + 1) : Math.max(0, counter - 1);
        lastOutcome = paid ? PAID : 0;
    }
}
