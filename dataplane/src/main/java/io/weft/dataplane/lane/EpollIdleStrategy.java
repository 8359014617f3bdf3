package io.weft.dataplane.lane;

import io.weft.tun.Epoll;
import java.util.Locale;
import org.agrona.concurrent.IdleStrategy;

/**
 * What a lane thread does when a drain found nothing: poll on (yielding the core to anything else runnable between
 * drains) for a while after its last packet, then block in epoll_wait on its fds and the shutdown eventfd.
 * {@code block} blocks at once, {@code spin} never blocks, {@code backoff} polls for {@code --idle-poll-us} after
 * each packet, {@code adaptive} (the default) for as long, but only where the lane is busy, where polling pays (most
 * recent packets came within the window) or where the lane's packets are sparse (see {@link PollGate}).
 * <p>
 * Why poll at all: a lane that blocks lets its core halt, and on a virtual machine waking a halted vCPU costs tens
 * to hundreds of microseconds, paid once per hop when traffic goes back and forth (a reply comes within a few
 * hundred microseconds, after the core halted). Why yield while polling: the lane shares its core with the pods, and
 * a poll must never take the core from a pod that has work, which is what plain spinning did
 * (docs/idle-and-latency.md).
 */
public final class EpollIdleStrategy implements IdleStrategy {
    /** A bound on each wait so a lost wakeup costs at most this much, never a hang. */
    static final int MAX_WAIT_MS = 1000;

    /** The default --idle-poll-us. */
    public static final int DEFAULT_POLL_MICROS = 300;

    public enum Mode {
        SPIN,
        BACKOFF,
        ADAPTIVE,
        BLOCK;

        /** Parses the --idle flag value. */
        public static Mode parse(final String value) {
            return Mode.valueOf(value.toUpperCase(Locale.ROOT));
        }

        /** Whether --idle-poll-us applies to this mode. */
        public boolean pollsForAWindow() {
            return this == BACKOFF || this == ADAPTIVE;
        }

        /** How long a lane polls after its last packet before it blocks, in this mode. */
        long pollNanos(final int backoffPollMicros) {
            return switch (this) {
                case SPIN -> Long.MAX_VALUE;
                case BACKOFF, ADAPTIVE -> backoffPollMicros * 1_000L;
                case BLOCK -> 0;
            };
        }
    }

    private final Epoll epoll;
    private final long pollNanos;
    private final String alias;
    /** Only in adaptive mode: whether an idle period polls. */
    private final PollGate gate;
    private boolean idling;
    private boolean pollsThisTime;
    private long idleSince;

    EpollIdleStrategy(final Epoll epoll, final Mode mode, final int backoffPollMicros) {
        this(epoll, mode, backoffPollMicros, mode == Mode.ADAPTIVE
            ? new PollGate(mode.pollNanos(backoffPollMicros)) : null);
    }

    /** With {@code gate} deciding, in adaptive mode, whether an idle period polls. */
    EpollIdleStrategy(final Epoll epoll, final Mode mode, final int backoffPollMicros, final PollGate gate) {
        this.epoll = epoll;
        this.pollNanos = mode.pollNanos(backoffPollMicros);
        this.alias = "epoll-" + mode.name().toLowerCase(Locale.ROOT);
        this.gate = gate;
    }

    @Override
    public void idle(final int workCount) {
        if (workCount > 0) {
            if (gate != null) {
                gate.worked(workCount);
            }
            reset();
        } else {
            idle();
        }
    }

    @Override
    public void idle() {
        if (pollNanos > 0) {
            final long now = System.nanoTime();
            if (!idling) {
                idling = true;
                idleSince = now;
                pollsThisTime = gate == null || gate.shouldPoll(now);
            }
            if (pollsThisTime && now - idleSince < pollNanos) {
                Thread.yield();
                return;
            }
        }
        epoll.await(MAX_WAIT_MS);
    }

    /** Work again: the idle period ends; in adaptive mode its length is counted. */
    @Override
    public void reset() {
        if (idling) {
            idling = false;
            if (gate != null) {
                gate.idleEnded(System.nanoTime() - idleSince);
            }
        }
    }

    @Override
    public String alias() {
        return alias;
    }
}
