package io.weft.registry;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registry's counters for /metrics. Registries update them from their own threads; any thread may read them.
 * The increments are public only so that the etcd implementation's package can reach them.
 */
public final class RegistryStats {
    private final AtomicLong leasesKnown = new AtomicLong();
    private final AtomicLong watchRestarts = new AtomicLong();
    private final AtomicLong renewalsOk = new AtomicLong();
    private final AtomicLong renewalsFailed = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong skippedEntries = new AtomicLong();
    private final AtomicLong invalidConfigs = new AtomicLong();
    private volatile List<String> configChangesPending = List.of();

    /** Valid leases in the last delivered set (a gauge). */
    public long leasesKnown() {
        return leasesKnown.get();
    }

    /** Watches started again after a compaction or a lost watch or connection. */
    public long watchRestarts() {
        return watchRestarts.get();
    }

    public long renewalsOk() {
        return renewalsOk.get();
    }

    public long renewalsFailed() {
        return renewalsFailed.get();
    }

    /** Times etcd answered again after requests to it had failed. */
    public long reconnects() {
        return reconnects.get();
    }

    /** Entries under subnets/ that could not be parsed (bad key, bad JSON, subnet outside Network), each time seen. */
    public long skippedEntries() {
        return skippedEntries.get();
    }

    /** Network configs written after start that could not be used (not JSON, invalid, deleted), each time seen. */
    public long invalidConfigs() {
        return invalidConfigs.get();
    }

    /**
     * The keys of the network config as last written that the node cannot apply while it runs (see
     * {@link NetworkConfigChange}); empty when it runs the config as written.
     */
    public List<String> configChangesPending() {
        return configChangesPending;
    }

    public void leasesKnown(final long count) {
        leasesKnown.set(count);
    }

    public void onWatchRestart() {
        watchRestarts.incrementAndGet();
    }

    public void onRenewal(final boolean ok) {
        (ok ? renewalsOk : renewalsFailed).incrementAndGet();
    }

    public void onReconnect() {
        reconnects.incrementAndGet();
    }

    public void onSkippedEntry() {
        skippedEntries.incrementAndGet();
    }

    public void onInvalidConfig() {
        invalidConfigs.incrementAndGet();
    }

    public void configChangesPending(final List<String> keys) {
        configChangesPending = List.copyOf(keys);
    }

    @Override
    public String toString() {
        return "leasesKnown=" + leasesKnown() + " watchRestarts=" + watchRestarts() + " renewalsOk=" + renewalsOk() +
            " renewalsFailed=" + renewalsFailed() + " reconnects=" + reconnects() + " skippedEntries=" +
            skippedEntries() + " invalidConfigs=" + invalidConfigs() + " configChangesPending=" +
            configChangesPending();
    }
}
