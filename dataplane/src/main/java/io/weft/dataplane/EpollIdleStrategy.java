package io.weft.dataplane;

import org.agrona.concurrent.IdleStrategy;

import io.weft.tun.Epoll;

/**
 * Idles by blocking in epoll_wait on the agent's fds and the shutdown eventfd, so an idle lane costs no CPU and
 * wakes on the first packet. Busy lanes never get here: doWork drains until EAGAIN first.
 */
final class EpollIdleStrategy implements IdleStrategy
{
    /** A bound on each wait so a lost wakeup costs at most this much, never a hang. */
    static final int MAX_WAIT_MS = 1000;

    private final Epoll epoll;

    EpollIdleStrategy(final Epoll epoll)
    {
        this.epoll = epoll;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        epoll.await(MAX_WAIT_MS);
    }

    @Override
    public void reset()
    {
    }

    @Override
    public String alias()
    {
        return "epoll";
    }
}
