package io.weft.registry.etcd;

import static io.weft.registry.etcd.EtcdTestKit.delete;
import static io.weft.registry.etcd.EtcdTestKit.flannelValue;
import static io.weft.registry.etcd.EtcdTestKit.ip;
import static io.weft.registry.etcd.EtcdTestKit.lease;
import static io.weft.registry.etcd.EtcdTestKit.put;
import static io.weft.registry.etcd.EtcdTestKit.putWithLease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.etcd.jetcd.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.weft.registry.Lease;

/** Tests that crash or compact etcd get one of their own. */
class EtcdOutageTest {
    private static final String PREFIX = "/coreos.com/network";
    private static final String SUBNETS = PREFIX + "/subnets/";

    @TempDir
    Path directory;

    private final EtcdTestKit.RecordingListener listener = new EtcdTestKit.RecordingListener();
    private EtcdServer server;
    private Client etcd;
    private EtcdLeaseRegistry registry;

    @BeforeEach
    void start() throws Exception {
        server = EtcdServer.startOnLoopback(directory.resolve("etcd"));
        etcd = EtcdTestKit.client(server);
        put(etcd, PREFIX + "/config", EtcdTestKit.FLANNEL_CONFIG);
        registry = EtcdLeaseRegistry.open(EtcdTestKit.config(server, PREFIX));
        registry.awaitNetworkConfig();
    }

    @AfterEach
    void stop() {
        registry.close();
        etcd.close();
        server.close();
    }

    @Test
    void shouldKeepTheLastSetWhileEtcdIsDownThenFollowChangesWhenItIsBack() throws Exception {
        final Lease own = registry.acquire(ip("192.168.100.1"), null);
        putWithLease(etcd, SUBNETS + "10.244.200.0-24", flannelValue("192.168.100.200"), 600);
        registry.watch(listener);
        listener.awaitDelivery("with both leases", leases -> leases.size() == 2);
        final int before = listener.deliveries.size();

        server.kill();
        Thread.sleep(3_000); // several failed snapshots with backoff

        assertThat(listener.deliveries).hasSize(before);
        assertThat(listener.deliveries).noneMatch(delivery -> delivery.leases().isEmpty());

        server.restart();
        putWithLease(etcd, SUBNETS + "10.244.201.0-24", flannelValue("192.168.100.201"), 600);

        listener.awaitDelivery("with the lease added after the restart", leases -> leases.size() == 3);
        assertThat(listener.latest()).containsExactly(own, lease("10.244.200.0/24", "192.168.100.200"),
            lease("10.244.201.0/24", "192.168.100.201"));
        assertThat(listener.deliveries).noneMatch(delivery -> delivery.leases().isEmpty());
        assertThat(registry.stats().reconnects()).isGreaterThanOrEqualTo(1);
        assertThat(registry.stats().watchRestarts()).isGreaterThanOrEqualTo(1);
        assertThat(listener.reacquired).as("our lease survived the outage").isEmpty();
    }

    @Test
    void shouldReconcileWithAFreshSnapshotWhenTheWatchRevisionWasCompacted() throws Exception {
        putWithLease(etcd, SUBNETS + "10.244.2.0-24", flannelValue("192.168.100.2"), 600);
        putWithLease(etcd, SUBNETS + "10.244.3.0-24", flannelValue("192.168.100.3"), 600);
        final AtomicInteger snapshots = new AtomicInteger();
        // Between the first snapshot and its watch: a delete and a put, then history compacted past both.
        registry.beforeWatch(() -> {
            if (snapshots.incrementAndGet() == 1) {
                try {
                    delete(etcd, SUBNETS + "10.244.2.0-24");
                    putWithLease(etcd, SUBNETS + "10.244.4.0-24", flannelValue("192.168.100.4"), 600);
                    final long revision = etcd.getKVClient().put(EtcdTestKit.bytes(PREFIX + "/unrelated"),
                        EtcdTestKit.bytes("x")).get(5, TimeUnit.SECONDS).getHeader().getRevision();
                    etcd.getKVClient().compact(revision).get(5, TimeUnit.SECONDS);
                } catch (final Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });

        registry.watch(listener);

        listener.awaitDelivery("reconciled after the compaction", leases -> leases.size() == 2 &&
            leases.contains(lease("10.244.4.0/24", "192.168.100.4")));
        assertThat(listener.deliveries.get(0).leases()).containsExactly(lease("10.244.2.0/24", "192.168.100.2"),
            lease("10.244.3.0/24", "192.168.100.3"));
        assertThat(listener.latest()).containsExactly(lease("10.244.3.0/24", "192.168.100.3"),
            lease("10.244.4.0/24", "192.168.100.4"));
        assertThat(snapshots).hasValue(2);
        assertThat(registry.stats().watchRestarts()).isEqualTo(1);

        putWithLease(etcd, SUBNETS + "10.244.5.0-24", flannelValue("192.168.100.5"), 600);
        listener.awaitDelivery("from the new watch", leases -> leases.size() == 3);
    }

    @Test
    void shouldRetryRenewalsWhileEtcdIsDownAndKeepTheLeaseWhenItComesBackInTime() throws Exception {
        registry.close();
        registry = EtcdLeaseRegistry.open(EtcdTestKit.config(server, PREFIX)
            .withLease(Duration.ofSeconds(6), Duration.ofSeconds(4)));
        registry.awaitNetworkConfig();
        final Lease own = registry.acquire(ip("192.168.100.1"), null);
        final long leaseId = EtcdTestKit.get(etcd, SUBNETS + own.keyName()).getLease();

        server.kill();
        EtcdTestKit.await("a failed renewal", Duration.ofSeconds(10), () -> registry.stats().renewalsFailed() >= 1);
        server.restart();
        EtcdTestKit.await("a renewal after the restart", Duration.ofSeconds(10),
            () -> registry.stats().renewalsOk() >= 1);

        assertThat(EtcdTestKit.get(etcd, SUBNETS + own.keyName()).getLease()).isEqualTo(leaseId);
        assertThat(EtcdTestKit.ttl(etcd, leaseId)).isPositive();
    }

    @Test
    void shouldWaitForEtcdWhenAcquiringDuringAnOutage() throws Exception {
        server.kill();
        final CompletableFuture<Lease> acquired = acquireInBackground();
        Thread.sleep(1_000);
        assertThat(acquired).isNotDone();

        server.restart();

        final Lease lease = acquired.get(15, TimeUnit.SECONDS);
        assertThat(EtcdTestKit.value(EtcdTestKit.get(etcd, SUBNETS + lease.keyName())))
            .isEqualTo(flannelValue("192.168.100.1"));
        assertThat(registry.stats().reconnects()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void shouldEndABlockedAcquireWithAnErrorWhenClosed() throws Exception {
        server.kill();
        final CompletableFuture<Lease> acquired = acquireInBackground();
        Thread.sleep(500);

        registry.close();

        assertThatThrownBy(() -> acquired.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class)
            .hasMessageContaining("closed");
    }

    private CompletableFuture<Lease> acquireInBackground() {
        final CompletableFuture<Lease> acquired = new CompletableFuture<>();
        final Thread thread = new Thread(() -> {
            try {
                acquired.complete(registry.acquire(ip("192.168.100.1"), null));
            } catch (final Exception e) {
                acquired.completeExceptionally(e);
            }
        }, "test-acquire");
        thread.setDaemon(true);
        thread.start();
        return acquired;
    }
}
