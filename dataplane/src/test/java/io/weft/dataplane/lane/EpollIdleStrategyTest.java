package io.weft.dataplane.lane;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.tun.Epoll;
import io.weft.tun.EventFd;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Whether an idle lane polls or blocks, on a real epoll over an eventfd that stays silent unless signalled. */
@Timeout(30)
final class EpollIdleStrategyTest {
    /** A window long enough that a loaded machine's scheduling never makes an at-once packet look late. */
    private static final int WINDOW_MICROS = 50_000;

    @Test
    void shouldMapEachModeToHowLongItPolls() {
        assertThat(EpollIdleStrategy.Mode.SPIN.pollNanos(300)).isEqualTo(Long.MAX_VALUE);
        assertThat(EpollIdleStrategy.Mode.BACKOFF.pollNanos(300)).isEqualTo(300_000L);
        assertThat(EpollIdleStrategy.Mode.ADAPTIVE.pollNanos(300)).isEqualTo(300_000L);
        assertThat(EpollIdleStrategy.Mode.BLOCK.pollNanos(300)).isZero();
    }

    @Test
    void shouldNeverBlockWhenSpinning() throws Exception {
        try (Epoll epoll = new Epoll(); EventFd silent = new EventFd()) {
            epoll.add(silent.fd(), Epoll.EPOLLIN);
            final EpollIdleStrategy idle = new EpollIdleStrategy(epoll, EpollIdleStrategy.Mode.SPIN, 1);

            // A blocking call would wait EpollIdleStrategy.MAX_WAIT_MS each: 5,000 of them outlast the timeout.
            for (int i = 0; i < 5_000; i++) {
                idle.idle(0);
            }
        }
    }

    @Test
    void shouldBlockUntilAnEventWhenTheBackoffWindowHasPassedAndPollAgainAfterWork() throws Exception {
        try (Epoll epoll = new Epoll(); EventFd wake = new EventFd()) {
            epoll.add(wake.fd(), Epoll.EPOLLIN);
            final EpollIdleStrategy idle = new EpollIdleStrategy(epoll, EpollIdleStrategy.Mode.BACKOFF, 1_000);

            pollPast(idle, 1_000);
            assertBlocksUntilSignalled(idle, wake);
            wake.drain();

            idle.idle(1);
            pollPast(idle, 1_000);
            assertBlocksUntilSignalled(idle, wake);
        }
    }

    @Test
    void shouldBlockAtOnceInAdaptiveModeWhenPollingNeitherPaysNorIsSparseAndPollAgainOnceItPays()
        throws Exception {
        try (Epoll epoll = new Epoll(); EventFd wake = new EventFd()) {
            epoll.add(wake.fd(), Epoll.EPOLLIN);
            final EpollIdleStrategy idle = blockingAtOnce(epoll, wake);

            // Now packets come at once, as an exchange's do (well within the window, even on a loaded machine):
            // polling pays, so it polls again.
            for (int period = 0; period < 16; period++) {
                wake.signal();
                idle.idle(0);
                wake.drain();
                idle.idle(1);
            }
            assertPolls(idle);
        }
    }

    /** What a turn reports (its reads) reaches the gate: a lane that turns busy polls again. */
    @Test
    void shouldPollAgainInAdaptiveModeOnceATurnReportsABusyLanesReads() throws Exception {
        try (Epoll epoll = new Epoll(); EventFd wake = new EventFd()) {
            epoll.add(wake.fd(), Epoll.EPOLLIN);
            final EpollIdleStrategy idle = blockingAtOnce(epoll, wake);

            // Far more reads than a busy lane makes in a period, however long the blocks above made it.
            idle.idle(100 * PollGate.BUSY_READS_PER_SECOND);

            assertPolls(idle);
        }
    }

    /**
     * An adaptive strategy whose gate blocks at once: it polled from the start, then three times the next packet came
     * after the window, so less than three quarters of the recent idle periods (each weighing an eighth) ended within
     * it, and in periods in which one idle period is as many as a sparse lane has they are no longer sparse.
     */
    private static EpollIdleStrategy blockingAtOnce(final Epoll epoll, final EventFd wake)
        throws InterruptedException {
        final long window = TimeUnit.MICROSECONDS.toNanos(WINDOW_MICROS);
        final EpollIdleStrategy idle = new EpollIdleStrategy(epoll, EpollIdleStrategy.Mode.ADAPTIVE,
            WINDOW_MICROS, new PollGate(window, window * 100 / PollGate.SPARSE_PERCENT));
        for (int period = 0; period < 3; period++) {
            pollPast(idle, WINDOW_MICROS);
            assertBlocksUntilSignalled(idle, wake);
            wake.drain();
            idle.idle(1);
        }
        for (int period = 0; period < 2; period++) {
            assertBlocksUntilSignalled(idle, wake);
            wake.drain();
            idle.idle(1);
        }
        return idle;
    }

    @Test
    void shouldBlockAtOnceInBlockMode() throws Exception {
        try (Epoll epoll = new Epoll(); EventFd wake = new EventFd()) {
            epoll.add(wake.fd(), Epoll.EPOLLIN);
            final EpollIdleStrategy idle = new EpollIdleStrategy(epoll, EpollIdleStrategy.Mode.BLOCK, 1_000);

            assertBlocksUntilSignalled(idle, wake);
        }
    }

    /** Idles on a silent epoll until the poll window has surely passed; a blocking call here would hang the test. */
    private static void pollPast(final EpollIdleStrategy idle, final int windowMicros) {
        final long end = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(windowMicros);
        while (System.nanoTime() - end < 0) {
            idle.idle(0);
        }
    }

    /** The next idle() returns with no event, long before a blocking wait would end: it polls. */
    private static void assertPolls(final EpollIdleStrategy idle) throws InterruptedException {
        final CountDownLatch returned = new CountDownLatch(1);
        final Thread poller = new Thread(() -> {
            idle.idle(0);
            returned.countDown();
        });
        poller.start();
        assertThat(returned.await(EpollIdleStrategy.MAX_WAIT_MS / 2, TimeUnit.MILLISECONDS))
            .as("idle() polled rather than waiting for an event").isTrue();
        poller.join();
    }

    /** The next idle() returns only after another thread signalled the eventfd. */
    private static void assertBlocksUntilSignalled(final EpollIdleStrategy idle, final EventFd wake)
        throws InterruptedException {
        final CountDownLatch returned = new CountDownLatch(1);
        final Thread waiter = new Thread(() -> {
            idle.idle(0);
            returned.countDown();
        });
        waiter.start();
        assertThat(returned.await(200, TimeUnit.MILLISECONDS)).as("idle() returned before any event").isFalse();
        wake.signal();
        assertThat(returned.await(5, TimeUnit.SECONDS)).as("idle() returned after the event").isTrue();
        waiter.join();
    }
}
