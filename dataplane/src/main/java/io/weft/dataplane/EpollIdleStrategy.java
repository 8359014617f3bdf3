package io.weft.dataplane;

import java.util.Locale;

import org.agrona.concurrent.IdleStrategy;

import io.weft.tun.Epoll;

/**
 * What a lane thread does when a drain found nothing: spin a little, then yield, then block in epoll_wait on its fds
 * and the shutdown eventfd. {@code block} (the default) blocks at once; {@code backoff} spins and yields briefly
 * first; {@code spin} never blocks. Measured on 2 cores with each node's workload sharing weftd's core (perf-reports),
 * spinning and yielding took the CPU the workload needed: block gave 7.3 Gbit/s TCP with no retransmits, 75 kpps of
 * 64-byte UDP and 100 us request/response, against 7.6 Gbit/s, 62 kpps and 137 us with backoff. Spinning pays only
 * when lanes have cores of their own.
 */
final class EpollIdleStrategy implements IdleStrategy
{
    /** A bound on each wait so a lost wakeup costs at most this much, never a hang. */
    static final int MAX_WAIT_MS = 1000;

    enum Mode
    {
        SPIN(Long.MAX_VALUE, 0),
        BACKOFF(100, 20),
        BLOCK(0, 0);

        final long spins;
        final long yields;

        Mode(final long spins, final long yields)
        {
            this.spins = spins;
            this.yields = yields;
        }

        /** Parses the --idle flag value. */
        static Mode parse(final String value)
        {
            return Mode.valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    private final Epoll epoll;
    private final Mode mode;
    private long idleCalls;

    EpollIdleStrategy(final Epoll epoll, final Mode mode)
    {
        this.epoll = epoll;
        this.mode = mode;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        final long calls = idleCalls++;
        if (calls < mode.spins)
        {
            Thread.onSpinWait();
        }
        else if (calls < mode.spins + mode.yields)
        {
            Thread.yield();
        }
        else
        {
            epoll.await(MAX_WAIT_MS);
        }
    }

    @Override
    public void reset()
    {
        idleCalls = 0;
    }

    @Override
    public String alias()
    {
        return "epoll-" + mode.name().toLowerCase(Locale.ROOT);
    }
}
