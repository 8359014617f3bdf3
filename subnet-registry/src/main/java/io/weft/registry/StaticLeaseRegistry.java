package io.weft.registry;

import io.weft.log.Log;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A registry over a {@link StaticLeaseFile}: no etcd, for tests, demos and fixed clusters. Every node's lease is in
 * the file; nothing is renewed and the set never changes, so it is delivered once.
 */
public final class StaticLeaseRegistry implements LeaseRegistry {
    private final Path file;
    private final StaticLeaseFile.Contents contents;
    private final RegistryStats stats = new RegistryStats();

    private StaticLeaseRegistry(final Path file, final StaticLeaseFile.Contents contents) {
        this.file = file;
        this.contents = contents;
    }

    /** Loads the file once; a bad config fails here, bad lease entries are logged, counted and skipped. */
    public static StaticLeaseRegistry open(final Path file) throws IOException {
        final StaticLeaseFile.Contents contents = StaticLeaseFile.load(file);
        final StaticLeaseRegistry registry = new StaticLeaseRegistry(file, contents);
        for (final String skipped : contents.skipped()) {
            Log.warn("skipping lease in " + file + ": " + skipped);
            registry.stats.onSkippedEntry();
        }
        return registry;
    }

    @Override
    public NetworkConfig awaitNetworkConfig() {
        return contents.config();
    }

    /** The file's lease with our PublicIP; {@code previousSubnet} cannot matter, since nothing is allocated. */
    @Override
    public Lease acquire(final int publicIp, final Ipv4Prefix previousSubnet, final BackendData backendData)
        throws IOException {
        for (final Lease lease : contents.leases()) {
            if (lease.publicIp() == publicIp) {
                return lease;
            }
        }
        throw new IOException("lease file " + file + " has no lease with PublicIP " + Ipv4Addresses.format(publicIp) +
            ": add one under \"subnets\", such as \"10.244.1.0-24\": {\"PublicIP\": \"" +
            Ipv4Addresses.format(publicIp) + "\"}");
    }

    /** Delivers the file's leases once, from a thread of its own as the etcd registry would. */
    @Override
    public void watch(final LeaseListener listener) {
        final long observedNanos = System.nanoTime();
        final List<Lease> leases = new ArrayList<>(contents.leases());
        leases.sort(Comparator.comparingInt((Lease lease) -> lease.subnet().address() ^ Integer.MIN_VALUE));
        stats.leasesKnown(leases.size());
        final Thread thread = new Thread(() -> listener.onLeases(List.copyOf(leases), observedNanos),
            "weft-lease-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public RegistryStats stats() {
        return stats;
    }

    @Override
    public void close() {
    }
}
