package io.weft.registry.etcd;

import static io.weft.registry.etcd.EtcdTestKit.flannelValue;
import static io.weft.registry.etcd.EtcdTestKit.ip;
import static io.weft.registry.etcd.EtcdTestKit.put;
import static io.weft.registry.etcd.EtcdTestKit.putWithLease;
import static io.weft.registry.etcd.EtcdTestKit.sharedEtcd;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A watch whose connection goes silent without being closed (a member cut off by the network) is noticed: the
 * registry replaces a watch that brought nothing for a while, from where it was, so that a lease written meanwhile
 * still arrives. HTTP has no keepalive pings to find such a connection dead.
 */
class EtcdSilentWatchTest {
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final String prefix = EtcdTestKit.uniquePrefix();
    private final String subnets = prefix + "/subnets/";
    private final EtcdTestKit.RecordingListener listener = new EtcdTestKit.RecordingListener();
    private FreezingProxy proxy;
    private Client etcd;
    private EtcdLeaseRegistry registry;

    @BeforeEach
    void open() throws Exception {
        etcd = EtcdTestKit.client(sharedEtcd());
        put(etcd, prefix + "/config", EtcdTestKit.FLANNEL_CONFIG);
        proxy = new FreezingProxy(sharedEtcd().endpoint());
        registry = EtcdLeaseRegistry.open(EtcdRegistryConfig.defaults(List.of(proxy.endpoint())).withPrefix(prefix)
            .withTimings(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMillis(50)));
        registry.watchQuietNanos(QUIET_NANOS);
        registry.awaitNetworkConfig();
    }

    @AfterEach
    void close() throws Exception {
        registry.close();
        proxy.close();
        etcd.close();
    }

    @Test
    void shouldSeeALeaseWrittenAfterTheWatchConnectionWentSilent() throws Exception {
        registry.acquire(ip("192.168.100.1"), null);
        registry.watch(listener);
        listener.awaitDelivery("with our lease", leases -> leases.size() == 1);
        final long restarts = registry.stats().watchRestarts();
        freezeTheWatch();
        putWithLease(etcd, subnets + "10.244.9.0-24", flannelValue("192.168.100.9"), 600);

        listener.awaitDelivery("with the lease written while the watch was silent", leases -> leases.size() == 2);
        assertThat(registry.stats().watchRestarts()).as("replaced from where it was, not read again from scratch")
            .isEqualTo(restarts);
        assertThat(proxy.watchStartRevisions()).as("watches asked for").hasSizeGreaterThanOrEqualTo(2);
    }

    /**
     * Renewing a quiet watch on a store that others write to (a shared etcd) starts at the revision etcd is at when
     * nothing under the prefix changed, not at the last change under it, which would make etcd replay what came
     * since, and fail once compacted.
     */
    @Test
    void shouldRenewAQuietWatchFromTheStoresRevisionWhenNothingUnderThePrefixChanged() throws Exception {
        registry.acquire(ip("192.168.100.1"), null);
        registry.watch(listener);
        listener.awaitDelivery("with our lease", leases -> leases.size() == 1);
        awaitWatches(1);
        long elsewhere = 0;
        for (int i = 0; i < 5; i++) {
            elsewhere = etcd.getKVClient().put(EtcdTestKit.bytes(EtcdTestKit.uniquePrefix() + "/elsewhere"),
                EtcdTestKit.bytes("x" + i)).get(5, TimeUnit.SECONDS).getHeader().getRevision();
        }
        final long written = elsewhere;

        EtcdTestKit.await("a renewed watch starting past the writes elsewhere", Duration.ofSeconds(10),
            () -> proxy.watchStartRevisions().stream().anyMatch(start -> start > written));
        assertThat(registry.stats().watchRestarts()).isZero();
    }

    /** A delete shows in no revision of a key that is left: the renewal sees it in etcd's count of the keys. */
    @Test
    void shouldSeeALeaseDeletedAfterTheWatchConnectionWentSilent() throws Exception {
        putWithLease(etcd, subnets + "10.244.9.0-24", flannelValue("192.168.100.9"), 600);
        registry.acquire(ip("192.168.100.1"), null);
        registry.watch(listener);
        listener.awaitDelivery("with both leases", leases -> leases.size() == 2);
        freezeTheWatch();
        EtcdTestKit.delete(etcd, subnets + "10.244.9.0-24");

        listener.awaitDelivery("without the lease deleted while the watch was silent", leases -> leases.size() == 1);
        assertThat(registry.stats().watchRestarts()).isZero();
    }

    /** Freezes the registry's watch once etcd has answered it. */
    private void freezeTheWatch() throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int frozen = proxy.freezeWatches();
        while (frozen == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            frozen = proxy.freezeWatches();
        }
        assertThat(frozen).as("watch connections frozen").isEqualTo(1);
    }

    private List<Long> awaitWatches(final int count) throws Exception {
        EtcdTestKit.await(count + " watch(es) asked for", Duration.ofSeconds(5),
            () -> proxy.watchStartRevisions().size() >= count);
        return proxy.watchStartRevisions();
    }
}
