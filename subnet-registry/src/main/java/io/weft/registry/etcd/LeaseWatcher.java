package io.weft.registry.etcd;

import io.weft.log.Log;
import io.weft.log.OncePerKeyLog;
import io.weft.registry.Lease;
import io.weft.registry.LeaseChanges;
import io.weft.registry.LeaseCodec;
import io.weft.registry.LeaseListener;
import io.weft.registry.NetworkConfig;
import io.weft.registry.RegistryStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows {@code <prefix>/subnets/} and hands the lease set to the listener when it changes, on its own thread
 * {@code weft-lease-watcher}, the only writer of the set: the whole set after each snapshot, what changed after each
 * batch of watch events ({@link LeaseListener#onLeaseChanges}). It reads and watches {@code <prefix>/} as a whole, so
 * that {@code <prefix>/config} is followed in the same order as the leases ({@link ConfigFollower}): when the config
 * the node runs with changes, every lease is read again against it. A snapshot (read + revision) is followed by a watch
 * from the next revision; the watch's thread only queues what it receives, and this thread applies everything queued
 * before delivering once, so bursts coalesce. A lost watch (etcd gone, compaction, no leader) is closed rather than
 * resumed, and a new snapshot is reconciled with the set; until one succeeds the listener keeps the last set it had. A
 * watch quiet for {@link #QUIET_NANOS} is replaced ({@link #renewWatch}): a watch's connection that died without a word
 * (a member cut off, a dropped NAT entry) would otherwise go unnoticed, as HTTP has no keepalive pings.
 */
final class LeaseWatcher implements AutoCloseable {
    /** The listener's failures, logged once each until a delivery succeeds (no key name has a space). */
    private static final String LISTENER_FAILED = "the lease listener";
    /** How long a watch may bring nothing before it is replaced; the same order as gRPC keepalive pings gave. */
    static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** What the watch's thread saw; {@code answer} null means the watch ended, with {@code error} if it said why. */
    private record Signal(long generation, EtcdWatch.Answer answer, Throwable error, long receivedNanos) {
    }

    private final BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final Map<String, Lease> leases = new HashMap<>();
    /** The keys the events being applied changed, each with its lease before them (null: none), for the change. */
    private final Map<String, Lease> changedFrom = new HashMap<>();
    /**
     * The values under subnets/ that give no lease, as written: a new config may make one valid. A valid one is kept
     * as its lease only (thousands of them), which says all its value did.
     */
    private final Map<String, String> refusedValues = new HashMap<>();
    /**
     * The keys under the root outside subnets/ (the config's among them): with the leases and the refused values,
     * every key there, to tell etcd's count of them from ours.
     */
    private final Set<String> otherKeys = new HashSet<>();
    private final EtcdCalls calls;
    private final ConfigFollower config;
    /** {@code <prefix>/}: the config and the subnets, read and watched as one. */
    private final String root;
    private final String configKey;
    private final String prefix;
    private final OwnLeaseView own;
    private final LeaseListener listener;
    private final RegistryStats stats;
    private final OncePerKeyLog entryLog;
    private final Backoff backoff;
    private final Runnable beforeWatch;
    private final Thread thread;
    private volatile boolean closed;
    private boolean delivered;
    private long generation;
    private long watchesStarted;
    /** The revision a watch replacing a quiet one starts from: every change before it was applied. */
    private long nextRevision;
    private volatile long quietNanos = QUIET_NANOS;
    private EtcdWatch watcher;

    /** Our lease as the keeper has it, and the way to tell the keeper the watch saw our key or the config change. */
    interface OwnLeaseView {
        OwnLease ownLease();

        void onOwnKeyChanged();

        void onNetworkApplied(NetworkConfig applied);
    }

    LeaseWatcher(final EtcdCalls calls, final NetworkConfig network, final String configKey,
        final String subnetsPrefix, final OwnLeaseView own, final LeaseListener listener, final RegistryStats stats,
        final OncePerKeyLog entryLog, final Backoff backoff, final Runnable beforeWatch) {
        this.calls = calls;
        this.configKey = configKey;
        this.prefix = subnetsPrefix;
        this.root = configKey.substring(0, configKey.lastIndexOf('/') + 1);
        this.config = new ConfigFollower(configKey, network, stats, entryLog, () -> {
            final OwnLease ours = own.ownLease();
            return ours == null ? null : ours.lease().subnet();
        });
        this.own = own;
        this.listener = listener;
        this.stats = stats;
        this.entryLog = entryLog;
        this.backoff = backoff;
        this.beforeWatch = beforeWatch;
        this.thread = new Thread(this::run, "weft-lease-watcher");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        final List<Signal> batch = new ArrayList<>();
        while (!closed) {
            try {
                if (watcher == null) {
                    resync();
                }
                final Signal first = signals.poll(quietNanos, TimeUnit.NANOSECONDS);
                if (first == null) {
                    renewWatch();
                    continue;
                }
                batch.add(first);
                signals.drainTo(batch);
                apply(batch);
            } catch (final IOException e) {
                if (!(e instanceof RetryableEtcdException)) {
                    entryLog.warn(root, "cannot read " + root + ": " + e.getMessage() + "; retrying");
                }
                sleep();
            } catch (final InterruptedException e) {
                break;
            } finally {
                batch.clear();
            }
        }
        stopWatch();
    }

    /** Reads the prefix, reconciles the set with it, and watches from the revision after it. */
    private void resync() throws IOException, InterruptedException {
        final EtcdCalls.Listing listing = calls.list(root);
        final long observedNanos = System.nanoTime();
        EtcdCalls.Entry configEntry = null;
        for (final EtcdCalls.Entry entry : listing.entries()) {
            if (entry.key().equals(configKey)) {
                configEntry = entry;
            }
        }
        // Absent: deleted while the watch was lost (-1, so that it is reported once).
        if (configEntry == null) {
            onConfig(null, -1);
        } else {
            onConfig(configEntry.value(), configEntry.modRevision());
        }
        final Map<String, Lease> fresh = new HashMap<>();
        final OwnLease ours = own.ownLease();
        boolean ownKeyChanged = ours != null;
        refusedValues.clear();
        otherKeys.clear();
        for (final EtcdCalls.Entry entry : listing.entries()) {
            if (!entry.key().startsWith(prefix)) {
                otherKeys.add(entry.key());
                continue;
            }
            final String keyName = entry.key().substring(prefix.length());
            final Lease lease = decode(keyName, entry.value());
            if (lease != null) {
                fresh.put(keyName, lease);
            } else {
                refusedValues.put(keyName, entry.value());
            }
            if (ours != null && keyName.equals(ours.lease().keyName())) {
                ownKeyChanged = !isOurs(ours, lease, entry.leaseId());
            }
        }
        if (!delivered || !fresh.equals(leases)) {
            leases.clear();
            leases.putAll(fresh);
            deliver(observedNanos);
        }
        if (ownKeyChanged) {
            own.onOwnKeyChanged();
        }
        beforeWatch.run();
        startWatch(listing.revision() + 1);
        if (watchesStarted++ > 0) {
            stats.onWatchRestart();
        }
    }

    private void startWatch(final long fromRevision) {
        nextRevision = fromRevision;
        final long watchGeneration = ++generation;
        watcher = calls.watch(root, fromRevision, new EtcdWatch.Listener() {
            @Override
            public void onAnswer(final EtcdWatch.Answer answer) {
                signals.add(new Signal(watchGeneration, answer, null, System.nanoTime()));
            }

            @Override
            public void onEnd(final Throwable error) {
                signals.add(new Signal(watchGeneration, null, error, System.nanoTime()));
            }
        });
    }

    /**
     * Replaces a quiet watch, losing nothing: the new one starts after the last change applied, or, when etcd says
     * nothing under the root changed since, at the revision it says that at. So that a renewal does not make etcd
     * replay the history of a busy shared store from an old revision (nor run into its compaction).
     */
    private void renewWatch() throws InterruptedException {
        if (watcher == null) {
            return;
        }
        long from = nextRevision;
        try {
            final long unchangedUpTo = calls.unchangedSince(root, nextRevision,
                leases.size() + refusedValues.size() + otherKeys.size());
            if (unchangedUpTo >= nextRevision) {
                from = unchangedUpTo + 1;
            }
        } catch (final IOException e) {
            // The new watch finds out whether etcd answers; it starts where nothing can be missed.
        }
        stopWatch();
        startWatch(from);
    }

    /** For tests: how long a watch may bring nothing before it is replaced. */
    void quietNanos(final long nanos) {
        quietNanos = nanos;
    }

    private void apply(final List<Signal> batch) {
        long changedAtNanos = Long.MAX_VALUE;
        Signal lost = null;
        for (final Signal signal : batch) {
            if (signal.generation() != generation) {
                continue; // From a watch already closed.
            }
            if (signal.answer() == null) {
                lost = signal;
                continue;
            }
            if (signal.answer().created()) {
                backoff.reset();
            } else if (signal.answer().events().isEmpty()) {
                // A progress notification: every change up to its revision was sent.
                nextRevision = Math.max(nextRevision, signal.answer().revision() + 1);
            }
            boolean changed = false;
            for (final EtcdWatch.Event event : signal.answer().events()) {
                nextRevision = Math.max(nextRevision, event.entry().modRevision() + 1);
                changed |= apply(event, signal.receivedNanos());
            }
            if (changed) {
                changedAtNanos = Math.min(changedAtNanos, signal.receivedNanos());
            }
        }
        if (changedAtNanos != Long.MAX_VALUE) {
            deliverChanges(changedAtNanos);
        }
        changedFrom.clear();
        if (lost != null) {
            onWatchLost(lost.error());
        }
    }

    /** @return true when the set changed and is yet to be delivered. */
    private boolean apply(final EtcdWatch.Event event, final long receivedNanos) {
        final String key = event.entry().key();
        final String value = event.entry().value();
        if (!key.startsWith(prefix)) {
            if (event.put()) {
                otherKeys.add(key);
            } else {
                otherKeys.remove(key);
            }
        }
        if (key.equals(configKey)) {
            if (onConfig(event.put() ? value : null, event.entry().modRevision())) {
                redecode(receivedNanos);
            }
            return false;
        }
        if (!key.startsWith(prefix)) {
            return false;
        }
        final String keyName = key.substring(prefix.length());
        final OwnLease ours = own.ownLease();
        final boolean ownKey = ours != null && ours.lease().keyName().equals(keyName);
        if (!changedFrom.containsKey(keyName)) {
            changedFrom.put(keyName, leases.get(keyName));
        }
        if (event.put()) {
            final Lease lease = decode(keyName, value);
            if (lease == null) {
                refusedValues.put(keyName, value);
            } else {
                refusedValues.remove(keyName);
            }
            if (ownKey && !isOurs(ours, lease, event.entry().leaseId())) {
                own.onOwnKeyChanged();
            }
            return lease == null ? leases.remove(keyName) != null : !lease.equals(leases.put(keyName, lease));
        }
        if (ownKey) {
            own.onOwnKeyChanged();
        }
        refusedValues.remove(keyName);
        entryLog.clear(keyName);
        return leases.remove(keyName) != null;
    }

    /**
     * The config was written: when what the node runs with changed, the keeper and the listener learn it first, then
     * every lease is read again against it.
     *
     * @return true when the applied config changed.
     */
    private boolean onConfig(final String value, final long modRevision) {
        if (!config.onWritten(value, modRevision)) {
            return false;
        }
        own.onNetworkApplied(config.applied());
        try {
            listener.onNetworkConfig(config.applied());
        } catch (final RuntimeException e) {
            Log.warn("the lease listener failed on the new network config: " + e);
        }
        return true;
    }

    /**
     * Reads every value under subnets/ again, against a new config; delivers now if the set changed. A lease's value
     * is written again from the lease (the config decides only whether its subnet is inside the Network).
     */
    private void redecode(final long receivedNanos) {
        final Map<String, String> toRead = new HashMap<>(refusedValues);
        for (final Map.Entry<String, Lease> entry : leases.entrySet()) {
            toRead.put(entry.getKey(), LeaseCodec.encodeValue(entry.getValue().publicIp(),
                entry.getValue().backendData()));
        }
        final Map<String, Lease> fresh = new HashMap<>();
        refusedValues.clear();
        for (final Map.Entry<String, String> entry : toRead.entrySet()) {
            final Lease lease = decode(entry.getKey(), entry.getValue());
            if (lease != null) {
                fresh.put(entry.getKey(), lease);
            } else {
                refusedValues.put(entry.getKey(), entry.getValue());
            }
        }
        if (!fresh.equals(leases)) {
            leases.clear();
            leases.putAll(fresh);
            deliver(receivedNanos);
        }
    }

    /** Whether our key still holds our lease: our PublicIP, attached to our etcd lease unless it is a reservation. */
    private static boolean isOurs(final OwnLease ours, final Lease found, final long leaseId) {
        return found != null && found.publicIp() == ours.lease().publicIp() &&
            (ours.isReservation() || leaseId == ours.leaseId());
    }

    private void onWatchLost(final Throwable error) {
        stopWatch();
        if (error instanceof EtcdWatch.CompactedException) {
            Log.warn("the watch on " + root + " fell behind compaction (revision " +
                ((EtcdWatch.CompactedException)error).compactedRevision() + "): reading the leases again");
        } else if (EtcdCalls.isRefusal(error)) {
            entryLog.warn(root, error.getMessage() + ": reading " + root + " again");
        } else {
            calls.onUnavailable(error == null ? new IOException("watch ended") : error);
        }
        sleep();
    }

    private void stopWatch() {
        generation++;
        if (watcher != null) {
            final EtcdWatch closing = watcher;
            watcher = null;
            closing.close();
        }
    }

    /** The whole set, which supersedes the changes being applied. */
    private void deliver(final long observedNanos) {
        changedFrom.clear();
        stats.leasesKnown(leases.size());
        delivered = true;
        try {
            listener.onLeases(LeaseChanges.bySubnet(leases.values()), observedNanos);
            entryLog.clear(LISTENER_FAILED);
        } catch (final RuntimeException e) {
            entryLog.warn(LISTENER_FAILED, "the lease listener failed on the whole set: " + e);
        }
    }

    /** What the events applied changed, unless they undid it (a lease written over and back within the batch). */
    private void deliverChanges(final long observedNanos) {
        final List<Lease> gone = new ArrayList<>();
        final List<Lease> added = new ArrayList<>();
        for (final Map.Entry<String, Lease> change : changedFrom.entrySet()) {
            final Lease was = change.getValue();
            final Lease now = leases.get(change.getKey());
            if (!Objects.equals(was, now)) {
                if (was != null) {
                    gone.add(was);
                }
                if (now != null) {
                    added.add(now);
                }
            }
        }
        changedFrom.clear();
        if (gone.isEmpty() && added.isEmpty()) {
            return;
        }
        stats.leasesKnown(leases.size());
        try {
            listener.onLeaseChanges(new LeaseChanges(gone, added, Collections.unmodifiableCollection(leases.values())),
                observedNanos);
            entryLog.clear(LISTENER_FAILED);
        } catch (final RuntimeException e) {
            // What the listener holds is now unknown: the whole set puts it right, if anything can.
            entryLog.warn(LISTENER_FAILED, "the lease listener failed on a change (" + e + "): handing it the whole"
                + " set");
            deliver(observedNanos);
        }
    }

    private Lease decode(final String keyName, final String value) {
        try {
            final Lease lease = LeaseCodec.decode(keyName, value, config.applied());
            entryLog.clear(keyName);
            return lease;
        } catch (final IllegalArgumentException e) {
            stats.onSkippedEntry();
            entryLog.warn(keyName, "skipping " + prefix + keyName + ": " + e.getMessage());
            return null;
        }
    }

    private void sleep() {
        try {
            backoff.sleep();
        } catch (final InterruptedException e) {
            closed = true;
        }
    }
}
