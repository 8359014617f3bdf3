package io.weft.dataplane.lane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The adaptive mode's decisions, driven with made-up times: no clock, no epoll. */
final class PollGateTest {
    private static final long WINDOW = TimeUnit.MICROSECONDS.toNanos(300);
    /** Idle periods a period may hold and still count as sparse: 10 % of it in windows (33 of 300 us in 100 ms). */
    private static final int SPARSE = (int)(PollGate.DEFAULT_PERIOD_NANOS * PollGate.SPARSE_PERCENT / 100 / WINDOW);

    private final PollGate gate = new PollGate(WINDOW);
    private long now = TimeUnit.SECONDS.toNanos(1); // System.nanoTime() may start anywhere

    @Test
    void shouldPollFromTheStart() {
        assertThat(gate.shouldPoll(now)).isTrue();
    }

    @Test
    void shouldPollEveryIdlePeriodOfASparseFlow() {
        // A ping every 10 ms, its request and reply on one lane: two idle periods per 10 ms, 20 per period, half of
        // them longer than the window.
        for (int i = 0; i < 1_000; i++) {
            assertThat(gate.shouldPoll(now)).as("idle period %d", i).isTrue();
            final long gap = i % 2 == 0 ? TimeUnit.MICROSECONDS.toNanos(250) : TimeUnit.MICROSECONDS.toNanos(9_750);
            now += gap;
            gate.idleEnded(gap);
        }
    }

    @Test
    void shouldCountPeriodsFromTheFirstIdlePeriodWhereverTheClocksOriginIs() {
        now = -TimeUnit.HOURS.toNanos(1); // periods counted from 0 would never end: no flow would stay sparse
        shouldPollEveryIdlePeriodOfASparseFlow();
    }

    @Test
    void shouldBlockAtOnceInAFlowOfAThousandPacketsASecond() {
        // The first period's first idle periods, before it had more than a sparse flow's; none after.
        assertThat(pollsInASecondOfAThousandPackets()).isEqualTo(SPARSE);
    }

    @Test
    void shouldBlockAtOnceWhenARequestAndItsReplyShareALaneAThousandTimesASecond() {
        int polls = 0;
        for (int i = 0; i < 2_000; i++) {
            if (gate.shouldPoll(now)) {
                polls++;
            }
            // The reply within the window, the next request after it: half the idle periods would pay.
            final long gap = i % 2 == 0 ? TimeUnit.MICROSECONDS.toNanos(150) : TimeUnit.MICROSECONDS.toNanos(850);
            now += gap;
            gate.idleEnded(gap);
            gate.worked(1); // two reads a millisecond: not busy
        }
        assertThat(polls).isEqualTo(SPARSE);
    }

    @Test
    void shouldPollABusyLaneAlthoughMostOfItsIdlePeriodsEndAfterTheWindow() {
        // A bulk stream on a shared core: ten reads a turn, then the pod runs and the lane waits 500 us.
        final int turnsPerPeriod = (int)(PollGate.DEFAULT_PERIOD_NANOS / TimeUnit.MICROSECONDS.toNanos(500));
        int polls = 0;
        for (int i = 0; i < 10 * turnsPerPeriod; i++) {
            gate.worked(10);
            final boolean polled = gate.shouldPoll(now);
            if (i >= turnsPerPeriod) {
                assertThat(polled).as("idle period %d, after the first period", i).isTrue();
            }
            polls += polled ? 1 : 0;
            now += TimeUnit.MICROSECONDS.toNanos(500);
            gate.idleEnded(TimeUnit.MICROSECONDS.toNanos(500));
        }
        assertThat(polls).isGreaterThan(9 * turnsPerPeriod);
    }

    @Test
    void shouldStopCountingALaneBusyOnceAWholePeriodHadTooFewReads() {
        shouldPollABusyLaneAlthoughMostOfItsIdlePeriodsEndAfterTheWindow();
        // Then two reads a millisecond, each idle period ending after the window: still busy for the period that
        // follows the busy ones (its last period was), blocked at once from the next.
        final int turnsPerPeriod = (int)(PollGate.DEFAULT_PERIOD_NANOS / TimeUnit.MICROSECONDS.toNanos(500));
        for (int i = 0; i < 10 * turnsPerPeriod; i++) {
            gate.worked(1);
            assertThat(gate.shouldPoll(now)).as("idle period %d", i).isEqualTo(i < turnsPerPeriod);
            now += TimeUnit.MICROSECONDS.toNanos(500);
            gate.idleEnded(TimeUnit.MICROSECONDS.toNanos(500));
        }
    }

    @Test
    void shouldCountALaneBusyThatWorkedForLongerThanTwoPeriodsWithoutGoingIdle() {
        shouldBlockAtOnceInAFlowOfAThousandPacketsASecond();
        // A stream's lane that never idles for 300 ms, 20 reads a millisecond, then idles for 500 us at a time.
        for (int ms = 0; ms < 300; ms++) {
            gate.worked(20);
            now += TimeUnit.MILLISECONDS.toNanos(1);
        }
        for (int i = 0; i < 100; i++) {
            gate.worked(10);
            assertThat(gate.shouldPoll(now)).as("idle period %d", i).isTrue();
            now += TimeUnit.MICROSECONDS.toNanos(500);
            gate.idleEnded(TimeUnit.MICROSECONDS.toNanos(500));
        }
    }

    @Test
    void shouldCountTheReadsBeforeASilenceForNextToNothing() {
        shouldPollABusyLaneAlthoughMostOfItsIdlePeriodsEndAfterTheWindow();
        now += TimeUnit.SECONDS.toNanos(10);
        gate.idleEnded(TimeUnit.SECONDS.toNanos(10));
        // A thousand packets a second after it: blocked at once once it is not sparse, as without the busy history.
        assertThat(pollsInASecondOfAThousandPackets()).isEqualTo(SPARSE);
    }

    /** A packet a millisecond, one read each, for a second: how many of the idle periods polled. */
    private int pollsInASecondOfAThousandPackets() {
        int polls = 0;
        for (int i = 0; i < 1_000; i++) {
            if (gate.shouldPoll(now)) {
                polls++;
            }
            now += TimeUnit.MILLISECONDS.toNanos(1);
            gate.idleEnded(TimeUnit.MILLISECONDS.toNanos(1));
            gate.worked(1);
        }
        return polls;
    }

    @Test
    void shouldPollAFastExchangeHoweverOften() {
        // A request/response exchange whose next packet comes 30 us after the lane idles, 25,000 times a second.
        for (int i = 0; i < 20_000; i++) {
            assertThat(gate.shouldPoll(now)).as("idle period %d", i).isTrue();
            now += TimeUnit.MICROSECONDS.toNanos(40);
            gate.idleEnded(TimeUnit.MICROSECONDS.toNanos(30));
        }
    }

    @Test
    void shouldSeeThatPollingPaysWithinTwentyFiveIdlePeriodsOfAnExchangeAfterAFlowWhereItDidNot() {
        for (int i = 0; i < 1_000; i++) { // a thousand packets a second: not sparse, polling would not pay
            gate.shouldPoll(now);
            now += TimeUnit.MILLISECONDS.toNanos(1);
            gate.idleEnded(TimeUnit.MILLISECONDS.toNanos(1));
        }
        int blocked = 0;
        while (!gate.shouldPoll(now)) {
            now += TimeUnit.MICROSECONDS.toNanos(70);
            gate.idleEnded(TimeUnit.MICROSECONDS.toNanos(60)); // blocked: the gap includes the wake-up
            blocked++;
        }
        assertThat(blocked).isBetween(1, 25);
    }

    @Test
    void shouldCountASilenceAsNoHistorySoTheFirstPacketsAfterItArePolledFor() {
        for (int i = 0; i < 1_000; i++) {
            gate.shouldPoll(now);
            now += TimeUnit.MILLISECONDS.toNanos(1);
            gate.idleEnded(TimeUnit.MILLISECONDS.toNanos(1));
        }
        now += TimeUnit.SECONDS.toNanos(10);
        gate.idleEnded(TimeUnit.SECONDS.toNanos(10));

        // Then a fast exchange: polled for as sparse at first, then because polling pays, without a break.
        for (int i = 0; i < 1_000; i++) {
            assertThat(gate.shouldPoll(now)).as("idle period %d", i).isTrue();
            now += TimeUnit.MICROSECONDS.toNanos(40);
            gate.idleEnded(TimeUnit.MICROSECONDS.toNanos(30));
        }
    }
}
