package io.weft.dataplane;

import java.util.Locale;

import org.agrona.concurrent.IdleStrategy;

import io.weft.tun.Epoll;

/**
 * What a lane thread does when a drain found nothing: spin a little, then yield, then block in epoll_wait on its fds
 * and the shutdown eventfd. {@code spin} never blocks (lowest latency, a core per thread); {@code block} blocks at
 * once (no CPU when idle); {@code backoff} (the default) spins and yields briefly first, which keeps a busy flow's
 * next packet off the epoll path without burning a core on an idle node.
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
