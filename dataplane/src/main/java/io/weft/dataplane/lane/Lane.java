package io.weft.dataplane.lane;

import io.weft.log.Log;
import io.weft.tun.Epoll;
import io.weft.tun.EventFd;
import io.weft.tun.NativeException;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SystemNanoClock;

/**
 * One lane of the data path: a TUN fd and a UDP socket, both drained by one thread ({@link TunReader} out, then
 * {@link UdpReceiver} in, until neither has work), which then blocks in one epoll on both and the daemon's shutdown
 * eventfd. One thread, not one per direction: a TCP flow's data and its ACKs then pass through without a thread
 * wake-up and switch per ACK (an ACK written to the TUN makes the kernel queue more data for the same thread to
 * read); docs/lanes.md has the measurement. Lanes share only the route snapshot and the counters.
 */
public final class Lane implements AutoCloseable {
    private final Epoll epoll;
    private final Agent agent;
    private final AgentRunner runner;
    /** Set by the lane's thread as it ends because the kernel detached its TUN queue; read by the daemon. */
    private volatile boolean queueDetached;
    /** Set by the lane's thread as an Error (out of memory, a JVM failure) ends it; read by the daemon. */
    private volatile Throwable fatalError;

    /**
     * Lane {@code id} over {@code io}, counting into {@code counters}; its thread, once started, ends when asked to
     * after {@code shutdown} is signalled.
     */
    public Lane(final int id, final LaneIo io, final LaneContext context, final DataplaneCounters counters,
        final EventFd shutdown) throws NativeException {
        epoll = new Epoll();
        try {
            epoll.add(io.tun().fd(), Epoll.EPOLLIN);
            epoll.add(io.receiveSocket().fd(), Epoll.EPOLLIN);
            epoll.add(shutdown.fd(), Epoll.EPOLLIN);
        } catch (final NativeException e) {
            epoll.close();
            throw e;
        }
        agent = bothDirections("weft-lane-" + id,
            new TunReader(io, context, counters, new SystemNanoClock(), "tun-reader-" + id, id),
            new UdpReceiver(io, context, counters, "udp-receiver-" + id));
        runner = new AgentRunner(new EpollIdleStrategy(epoll, context.idle(), context.idlePollMicros()),
            this::onAgentError, null, agent);
    }

    public void start() {
        AgentRunner.startOnThread(runner);
    }

    /** One turn of the lane's thread, out then in: the work done. For tests that drive a lane not started. */
    int doWork() throws Exception {
        return agent.doWork();
    }

    /** True once the lane's thread has ended because its TUN queue was detached (the device was deleted). */
    public boolean queueDetached() {
        return queueDetached;
    }

    /** What ended the lane's thread when it was not asked to end and not a detached queue, else null. */
    public Throwable fatalError() {
        return fatalError;
    }

    /** Stops the thread; the caller signals the shutdown eventfd first so it does not stay blocked in epoll_wait. */
    @Override
    public void close() {
        runner.close();
        epoll.close();
    }

    /** Out, then in, as one agent whose role name is the thread's name. */
    private static Agent bothDirections(final String name, final Agent out, final Agent in) {
        return new Agent() {
            @Override
            public int doWork() throws Exception {
                return out.doWork() + in.doWork();
            }

            @Override
            public void onClose() {
                out.onClose();
                in.onClose();
            }

            @Override
            public String roleName() {
                return name;
            }
        };
    }

    private void onAgentError(final Throwable error) {
        if (error instanceof TunReader.QueueDetachedException) {
            queueDetached = true;
            return;
        }
        // The agent runner goes on after an exception, but an Error ends the thread.
        if (error instanceof Error) {
            fatalError = error;
        }
        Log.warn("data path error: " + error);
    }
}
