package io.weft.registry.etcd;

import io.weft.log.OncePerKeyLog;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.registry.LeaseListener;
import io.weft.registry.LeaseRegistry;
import io.weft.registry.NetworkConfig;
import io.weft.registry.RegistryStats;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * flannel's etcd v3 subnet registry: the network config at {@code <prefix>/config}, one key per node lease under
 * {@code <prefix>/subnets/}, attached to an etcd lease that weftd renews. The only code in weft that talks to etcd.
 */
public final class EtcdLeaseRegistry implements LeaseRegistry {
    private final EtcdRegistryConfig config;
    private final EtcdCalls calls;
    private final RegistryStats stats = new RegistryStats();
    private final OncePerKeyLog entryLog = new OncePerKeyLog();
    private volatile NetworkConfig network;
    private volatile LeaseKeeper keeper;
    private LeaseListener listener;
    private LeaseWatcher watcher;
    private Runnable beforeWatch = () -> {
    };
    private long watchQuietNanos = LeaseWatcher.QUIET_NANOS;
    private RandomGenerator random = new SecureRandom();
    private boolean acquiring;
    private volatile boolean closed;

    private EtcdLeaseRegistry(final EtcdRegistryConfig config, final EtcdHttp http) {
        this.config = config;
        this.calls = new EtcdCalls(http, config, stats);
    }

    /** Creates the client; nothing is sent to etcd until a method needs it. */
    public static EtcdLeaseRegistry open(final EtcdRegistryConfig config) throws IOException {
        return new EtcdLeaseRegistry(config, EtcdHttp.open(config));
    }

    @Override
    public NetworkConfig awaitNetworkConfig() throws InterruptedException {
        final NetworkConfig read = NetworkConfigReader.await(calls, config.configKey(), config.configPoll());
        network = read;
        return read;
    }

    /** Blocks while etcd is unreachable; close() from another thread ends the wait with an IOException. */
    @Override
    public Lease acquire(final int publicIp, final Ipv4Prefix previousSubnet, final BackendData backendData)
        throws IOException, InterruptedException {
        return acquire(publicIp, previousSubnet, backendData, 0);
    }

    @Override
    public Lease acquire(final int publicIp, final Ipv4Prefix previousSubnet, final BackendData backendData,
        final long predecessorLeaseId) throws IOException, InterruptedException {
        synchronized (this) {
            if (acquiring || closed) {
                throw new IllegalStateException(closed ? "registry closed" : "acquire() was called already");
            }
            acquiring = true;
        }
        final NetworkConfig current = requireNetwork();
        final LeaseAcquirer acquirer =
            new LeaseAcquirer(calls, config.subnetsPrefix(), config.leaseTtl(), this::newBackoff, random(),
                backendData);
        final OwnLease own = predecessorLeaseId == 0 ? acquirer.acquire(current, publicIp, previousSubnet)
            : acquirer.adopt(current, publicIp, predecessorLeaseId);
        synchronized (this) {
            if (closed) {
                throw new IOException("etcd registry closed while acquiring a lease");
            }
            final LeaseKeeper started = new LeaseKeeper(calls, acquirer, current, config.subnetsPrefix(),
                config.renewMargin(), newBackoff(), stats, own);
            started.listener(listener);
            keeper = started;
        }
        return own.lease();
    }

    @Override
    public void advertise(final BackendData backendData) {
        final LeaseKeeper current;
        synchronized (this) {
            current = keeper;
        }
        if (current == null) {
            throw new IllegalStateException("acquire() first: there is no lease of ours to write into");
        }
        current.advertise(backendData);
    }

    @Override
    public long ownLeaseId() {
        final LeaseKeeper current;
        synchronized (this) {
            current = keeper;
        }
        final OwnLease own = current == null ? null : current.ownLease();
        return own == null ? 0 : own.leaseId();
    }

    @Override
    public synchronized void watch(final LeaseListener newListener) {
        if (watcher != null || closed) {
            throw new IllegalStateException(closed ? "registry closed" : "already watching");
        }
        listener = newListener;
        if (keeper != null) {
            keeper.listener(newListener);
        }
        watcher = new LeaseWatcher(calls, requireNetwork(), config.configKey(), config.subnetsPrefix(),
            new LeaseWatcher.OwnLeaseView() {
            @Override
            public OwnLease ownLease() {
                final LeaseKeeper current = keeper;
                return current == null ? null : current.ownLease();
            }

            @Override
            public void onOwnKeyChanged() {
                final LeaseKeeper current = keeper;
                if (current != null) {
                    current.onOwnKeyChanged();
                }
            }

            @Override
            public void onNetworkApplied(final NetworkConfig applied) {
                network = applied;
                final LeaseKeeper current = keeper;
                if (current != null) {
                    current.network(applied);
                }
            }
        }, newListener, stats, entryLog, newBackoff(), beforeWatch);
        watcher.quietNanos(watchQuietNanos);
        watcher.start();
    }

    @Override
    public RegistryStats stats() {
        return stats;
    }

    /** Stops watching and renewing and closes the client; the lease stays in etcd until it expires. */
    @Override
    public void close() {
        final LeaseWatcher stoppingWatcher;
        final LeaseKeeper stoppingKeeper;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stoppingWatcher = watcher;
            stoppingKeeper = keeper;
        }
        if (stoppingWatcher != null) {
            stoppingWatcher.close();
        }
        if (stoppingKeeper != null) {
            stoppingKeeper.close();
        }
        calls.close();
    }

    /** For tests: runs on the watcher's thread between each snapshot and the watch that follows it. */
    synchronized void beforeWatch(final Runnable hook) {
        beforeWatch = hook;
    }

    /** For tests: how long a watch may bring nothing before it is replaced by one from where it was. */
    synchronized void watchQuietNanos(final long nanos) {
        watchQuietNanos = nanos;
    }

    /** For tests: the choice of a new subnet among the free ones. */
    synchronized void random(final RandomGenerator generator) {
        random = generator;
    }

    private synchronized RandomGenerator random() {
        return random;
    }

    private Backoff newBackoff() {
        return new Backoff(config.backoffInitial(), config.backoffMax());
    }

    private NetworkConfig requireNetwork() {
        final NetworkConfig current = network;
        if (current == null) {
            throw new IllegalStateException("awaitNetworkConfig() first: leases are read against the network config");
        }
        return current;
    }
}
