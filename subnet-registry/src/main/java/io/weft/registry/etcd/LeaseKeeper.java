package io.weft.registry.etcd;

import io.weft.log.Log;
import io.weft.log.OncePerKeyLog;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.registry.LeaseCodec;
import io.weft.registry.LeaseListener;
import io.weft.registry.NetworkConfig;
import io.weft.registry.RegistryStats;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps our lease: renews its etcd lease {@code renewMargin} before expiry, retries failed renewals with backoff
 * while the lease can still be saved, and acquires a lease again when ours is gone or written over, keeping our
 * subnet wherever it can (see {@link LeaseAcquirer}). Every failure, expected or not, ends in a retry with backoff,
 * never in silence. All of it runs on one thread, {@code weft-lease-keeper}, the only writer of {@link #ownLease()}.
 */
final class LeaseKeeper implements AutoCloseable {
    private static final String REACQUIRE = "reacquire";
    private static final String RECOVER = "recover";
    private static final String ADVERTISE = "advertise";

    private final EtcdCalls calls;
    private final LeaseAcquirer acquirer;
    /** Follows the config as applied while weftd runs (see ConfigFollower). */
    private volatile NetworkConfig network;
    private final String subnetsPrefix;
    private final long renewMarginNs;
    private final Backoff backoff;
    private final RegistryStats stats;
    private final ScheduledExecutorService executor;
    private final OncePerKeyLog failureLog = new OncePerKeyLog();
    private volatile OwnLease own;
    private volatile LeaseListener listener;
    private ScheduledFuture<?> nextRenewal;
    private boolean renewalFailing;

    LeaseKeeper(final EtcdCalls calls, final LeaseAcquirer acquirer, final NetworkConfig network,
        final String subnetsPrefix, final Duration renewMargin, final Backoff backoff, final RegistryStats stats,
        final OwnLease initial) {
        this.calls = calls;
        this.acquirer = acquirer;
        this.network = network;
        this.subnetsPrefix = subnetsPrefix;
        this.renewMarginNs = renewMargin.toNanos();
        this.backoff = backoff;
        this.stats = stats;
        this.own = initial;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final Thread thread = new Thread(runnable, "weft-lease-keeper");
            thread.setDaemon(true);
            return thread;
        });
        submit(this::scheduleRenewal);
    }

    OwnLease ownLease() {
        return own;
    }

    void network(final NetworkConfig applied) {
        network = applied;
    }

    void listener(final LeaseListener newListener) {
        listener = newListener;
    }

    /** The watch saw our key deleted or rewritten: check it on the keeper's thread and acquire again if lost. */
    void onOwnKeyChanged() {
        submit(this::checkOwnKey);
    }

    /**
     * Says {@code backendData} in our lease's value from now on: rewritten on its etcd lease (or as a reservation)
     * on the keeper's thread, retried with backoff; a lease acquired again later says it too.
     */
    void advertise(final BackendData backendData) {
        acquirer.backendData(backendData);
        submit(this::rewriteValue);
    }

    /** Our value with what the acquirer says of us now; the latest wins, however many advertise calls came. */
    private void rewriteValue() {
        final OwnLease current = own;
        final BackendData wanted = acquirer.backendData();
        try {
            final String key = subnetsPrefix + current.lease().keyName();
            final EtcdCalls.Entry entry = calls.get(key);
            if (entry == null || entry.leaseId() != current.leaseId()) {
                // Lost meanwhile: acquiring it again writes what we say now.
                checkOwnKey();
                return;
            }
            final Lease ours = new Lease(current.lease().subnet(), current.lease().publicIp(), wanted);
            // Compared with what etcd holds, not with our record of it: an acquisition racing an advertise may have
            // written what we said before.
            final Lease found = decode(current.lease().keyName(), entry.value());
            if (!ours.equals(found) && !calls.replaceIfUnchanged(key, LeaseCodec.encodeValue(ours.publicIp(),
                wanted), entry.leaseId(), entry.modRevision())) {
                schedule(this::rewriteValue, backoff.nextDelayNs());
                return;
            }
            own = new OwnLease(ours, current.leaseId(), current.ttlSeconds(), current.renewedAtNanos());
            backoff.reset();
            failureLog.clear(ADVERTISE);
        } catch (final IOException | RuntimeException e) {
            failureLog.warn(ADVERTISE, "cannot write our key into " + current + ": " + describe(e) + "; retrying");
            schedule(this::rewriteValue, backoff.nextDelayNs());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void scheduleRenewal() {
        final OwnLease current = own;
        if (current.isReservation()) {
            return;
        }
        final long ttlNs = TimeUnit.SECONDS.toNanos(current.ttlSeconds());
        // A margin close to the TTL must not turn into renewing in a loop.
        final long renewAtNs = current.renewedAtNanos() + Math.max(ttlNs - renewMarginNs, ttlNs / 4);
        nextRenewal = schedule(this::renew, renewAtNs - System.nanoTime());
    }

    private void renew() {
        final OwnLease current = own;
        try {
            final long ttlSeconds = calls.keepAliveOnce(current.leaseId());
            if (ttlSeconds <= 0) {
                stats.onRenewal(false);
                Log.warn("the etcd lease of " + current.lease() + " expired or was revoked: acquiring a lease again");
                reacquire();
                return;
            }
            stats.onRenewal(true);
            if (renewalFailing) {
                Log.info("renewed " + current.lease() + " again");
                renewalFailing = false;
            }
            backoff.reset();
            own = current.renewed(ttlSeconds, System.nanoTime());
            scheduleRenewal();
        } catch (final IOException | RuntimeException e) {
            stats.onRenewal(false);
            final long retryNs = backoff.nextDelayNs();
            if (System.nanoTime() + retryNs - current.expiresAtNanos() < 0) {
                if (!renewalFailing) {
                    Log.warn("cannot renew " + current + ": " + describe(e) + "; retrying until it expires");
                    renewalFailing = true;
                }
                nextRenewal = schedule(this::renew, retryNs);
            } else {
                Log.warn("could not renew " + current + " before it expired: acquiring a lease again");
                reacquire();
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkOwnKey() {
        final OwnLease current = own;
        try {
            final EtcdCalls.Entry entry = calls.get(subnetsPrefix + current.lease().keyName());
            final Lease found = entry == null ? null : decode(current.lease().keyName(), entry.value());
            if (found != null && found.publicIp() == current.lease().publicIp() &&
                (current.isReservation() || entry.leaseId() == current.leaseId())) {
                return;
            }
            Log.warn(entry == null ? "our lease " + current.lease() + " was deleted: acquiring a lease again" :
                "our key " + current.lease().keyName() + " now holds " + entry.value() +
                (entry.leaseId() == current.leaseId() ? "" : " attached to " + (entry.leaseId() == 0 ?
                    "no etcd lease" : "etcd lease " + Long.toHexString(entry.leaseId()))) +
                ": acquiring our lease again");
            reacquire();
        } catch (final IOException | RuntimeException e) {
            schedule(this::checkOwnKey, backoff.nextDelayNs());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Acquires our lease again, keeping our subnet if at all possible; retries with backoff until it succeeds (or the
     * keeper is closed), whatever the failure: a renewal that stops silently would lose the subnet a day later.
     */
    private void reacquire() {
        final OwnLease old = own;
        if (nextRenewal != null) {
            nextRenewal.cancel(false);
        }
        renewalFailing = false;
        final OwnLease fresh;
        try {
            fresh = acquirer.acquire(network, old.lease().publicIp(), old.lease().subnet(), old);
        } catch (final IOException | RuntimeException e) {
            stats.onRenewal(false);
            failureLog.warn(REACQUIRE, "cannot acquire a lease again: " + describe(e) + "; retrying");
            nextRenewal = schedule(this::reacquire, backoff.nextDelayNs());
            return;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        failureLog.clear(REACQUIRE);
        own = fresh;
        if (!old.isReservation() && old.leaseId() != fresh.leaseId()) {
            // Ours, and no key of ours is attached to it any more.
            calls.revokeQuietly(old.leaseId());
        }
        backoff.reset();
        scheduleRenewal();
        final LeaseListener current = listener;
        if (current != null) {
            try {
                current.onOwnLeaseReacquired(fresh.lease());
            } catch (final RuntimeException e) {
                Log.warn("the lease listener failed on our re-acquired lease: " + e);
            }
        }
    }

    /** An unexpected failure shows its class; an etcd failure its message, which names the request. */
    private static String describe(final Exception e) {
        return e instanceof IOException ? e.getMessage() : e.toString();
    }

    /**
     * Where a task ended by something none of them expects (an Error): log it and start again from a renewal (or,
     * for a reservation, a check of our key), which finds out what to do, rather than leave the lease unattended.
     */
    private void recover(final Throwable failure) {
        stats.onRenewal(false);
        failureLog.warn(RECOVER, "keeping our lease failed unexpectedly: " + failure + "; trying again");
        renewalFailing = false;
        nextRenewal = schedule(own.isReservation() ? this::checkOwnKey : this::renew, backoff.nextDelayNs());
    }

    private Lease decode(final String keyName, final String value) {
        try {
            return LeaseCodec.decode(keyName, value, network);
        } catch (final IllegalArgumentException e) {
            return null;
        }
    }

    private ScheduledFuture<?> schedule(final Runnable task, final long delayNs) {
        try {
            return executor.schedule(guarded(task), Math.max(0, delayNs), TimeUnit.NANOSECONDS);
        } catch (final RejectedExecutionException e) {
            // Closed: the lease is kept as it is.
            return null;
        }
    }

    /** A scheduled executor keeps what a task throws in its future, which nobody reads: nothing may escape. */
    private Runnable guarded(final Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (final RuntimeException | Error e) {
                recover(e);
            }
        };
    }

    private void submit(final Runnable task) {
        try {
            executor.execute(guarded(task));
        } catch (final RejectedExecutionException e) {
            // Closed.
        }
    }
}
