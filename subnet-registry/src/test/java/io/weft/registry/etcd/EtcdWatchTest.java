package io.weft.registry.etcd;

import static io.weft.registry.etcd.EtcdTestKit.delete;
import static io.weft.registry.etcd.EtcdTestKit.flannelValue;
import static io.weft.registry.etcd.EtcdTestKit.get;
import static io.weft.registry.etcd.EtcdTestKit.ip;
import static io.weft.registry.etcd.EtcdTestKit.lease;
import static io.weft.registry.etcd.EtcdTestKit.put;
import static io.weft.registry.etcd.EtcdTestKit.putWithLease;
import static io.weft.registry.etcd.EtcdTestKit.sharedEtcd;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.registry.Lease;
import io.weft.registry.LeaseChanges;
import io.weft.registry.LeaseListener;
import io.weft.routing.Ipv4Prefix;

class EtcdWatchTest {
    private final String prefix = EtcdTestKit.uniquePrefix();
    private final String subnets = prefix + "/subnets/";
    private final EtcdTestKit.RecordingListener listener = new EtcdTestKit.RecordingListener();
    private Client etcd;
    private EtcdLeaseRegistry registry;

    @BeforeEach
    void open() throws Exception {
        etcd = EtcdTestKit.client(sharedEtcd());
        put(etcd, prefix + "/config", EtcdTestKit.FLANNEL_CONFIG);
        registry = EtcdLeaseRegistry.open(EtcdTestKit.config(sharedEtcd(), prefix));
        registry.awaitNetworkConfig();
    }

    @AfterEach
    void close() {
        registry.close();
        etcd.close();
    }

    @Test
    void shouldDeliverTheSnapshotFirstThenPutsAndDeletesWhenLeasesChange() throws Exception {
        putWithLease(etcd, subnets + "10.244.2.0-24", flannelValue("192.168.100.2"), 600);
        final Lease own = registry.acquire(ip("192.168.100.1"), Ipv4Prefix.parse("10.244.1.0/24"));

        registry.watch(listener);

        final EtcdTestKit.RecordingListener.Delivery snapshot =
            listener.awaitDelivery("with the snapshot", leases -> true);
        assertThat(snapshot.leases()).containsExactly(own, lease("10.244.2.0/24", "192.168.100.2"));
        assertThat(snapshot.thread()).isEqualTo("weft-lease-watcher");

        final long beforePutNanos = System.nanoTime();
        putWithLease(etcd, subnets + "10.244.3.0-24", flannelValue("192.168.100.3"), 600);
        final EtcdTestKit.RecordingListener.Delivery added =
            listener.awaitDelivery("with the new lease", leases -> leases.size() == 3);
        assertThat(added.leases()).containsExactly(own, lease("10.244.2.0/24", "192.168.100.2"),
            lease("10.244.3.0/24", "192.168.100.3"));
        assertThat(added.observedNanos()).isBetween(beforePutNanos, added.deliveredNanos());

        delete(etcd, subnets + "10.244.2.0-24");
        listener.awaitDelivery("without the deleted lease",
            leases -> !leases.contains(lease("10.244.2.0/24", "192.168.100.2")));
        assertThat(listener.latest()).containsExactly(own, lease("10.244.3.0/24", "192.168.100.3"));
        assertThat(registry.stats().leasesKnown()).isEqualTo(2);
        assertThat(listener.deliveries).noneMatch(delivery -> delivery.leases().isEmpty());
    }

    /** A listener that keeps its own state applies each change alone: what went and what came, nothing else. */
    @Test
    void shouldDeliverWhatEachChangeRemovedAndAddedAfterTheSnapshot() throws Exception {
        putWithLease(etcd, subnets + "10.244.2.0-24", flannelValue("192.168.100.2"), 600);
        putWithLease(etcd, subnets + "10.244.4.0-24", flannelValue("192.168.100.4"), 600);
        registry.watch(listener);
        listener.awaitDelivery("with the snapshot", leases -> leases.size() == 2);
        assertThat(listener.changes).as("the snapshot is a whole set").isEmpty();

        putWithLease(etcd, subnets + "10.244.3.0-24", flannelValue("192.168.100.3"), 600);
        awaitChanges(1);
        putWithLease(etcd, subnets + "10.244.2.0-24", flannelValue("192.168.100.22"), 600);
        awaitChanges(2);
        delete(etcd, subnets + "10.244.3.0-24");
        awaitChanges(3);
        putWithLease(etcd, subnets + "10.244.2.0-24", flannelValue("192.168.100.22"), 600);
        put(etcd, subnets + "10.244.4.0-24", "not a lease");
        awaitChanges(4);

        assertThat(listener.changes).containsExactly(
            new EtcdTestKit.RecordingListener.Change(List.of(), List.of(lease("10.244.3.0/24", "192.168.100.3"))),
            new EtcdTestKit.RecordingListener.Change(List.of(lease("10.244.2.0/24", "192.168.100.2")),
                List.of(lease("10.244.2.0/24", "192.168.100.22"))),
            new EtcdTestKit.RecordingListener.Change(List.of(lease("10.244.3.0/24", "192.168.100.3")), List.of()),
            // The same lease written again changed nothing; a value that is no lease takes its subnet's lease away.
            new EtcdTestKit.RecordingListener.Change(List.of(lease("10.244.4.0/24", "192.168.100.4")), List.of()));
        assertThat(listener.latest()).containsExactly(lease("10.244.2.0/24", "192.168.100.22"));
        assertThat(registry.stats().leasesKnown()).isEqualTo(1);
    }

    /** A listener that failed on a change holds who knows what: the whole set follows, so that it can put it right. */
    @Test
    void shouldHandTheWholeSetToAListenerThatFailedOnAChange() throws Exception {
        final List<List<Lease>> wholeSets = new CopyOnWriteArrayList<>();
        final AtomicInteger failedChanges = new AtomicInteger();
        registry.watch(new LeaseListener() {
            @Override
            public void onLeases(final List<Lease> leases, final long observedNanos) {
                wholeSets.add(leases);
            }

            @Override
            public void onLeaseChanges(final LeaseChanges changes, final long observedNanos) {
                failedChanges.incrementAndGet();
                throw new IllegalStateException("a listener's defect");
            }

            @Override
            public void onOwnLeaseReacquired(final Lease lease) {
            }
        });
        EtcdTestKit.await("the snapshot", Duration.ofSeconds(10), () -> wholeSets.size() == 1);

        putWithLease(etcd, subnets + "10.244.3.0-24", flannelValue("192.168.100.3"), 600);

        EtcdTestKit.await("the whole set after the failure", Duration.ofSeconds(10), () -> wholeSets.size() == 2);
        assertThat(failedChanges.get()).isEqualTo(1);
        assertThat(wholeSets.get(1)).containsExactly(lease("10.244.3.0/24", "192.168.100.3"));
    }

    private void awaitChanges(final int count) throws InterruptedException {
        EtcdTestKit.await(count + " changes", Duration.ofSeconds(10), () -> listener.changes.size() >= count);
    }

    @Test
    void shouldCoalesceABurstIntoFewDeliveriesOfTheLatestState() throws Exception {
        registry.watch(listener);
        listener.awaitDelivery("with the empty snapshot", List::isEmpty);

        for (int i = 1; i <= 50; i++) {
            put(etcd, subnets + "10.244." + i + ".0-24", flannelValue("192.168.100." + i));
        }

        listener.awaitDelivery("with all 50", leases -> leases.size() == 50);
        assertThat(listener.deliveries.size()).as("snapshot + at most one per event").isLessThanOrEqualTo(51);
        assertThat(listener.latest()).hasSize(50);
    }

    @Test
    void shouldReacquireTheSameSubnetAndTellTheListenerWhenOurKeyIsDeleted() throws Exception {
        final Lease own = registry.acquire(ip("192.168.100.1"), null);
        registry.watch(listener);
        listener.awaitDelivery("with our lease", leases -> leases.contains(own));
        final long oldLease = get(etcd, subnets + own.keyName()).getLease();

        delete(etcd, subnets + own.keyName());

        EtcdTestKit.await("the re-acquisition", Duration.ofSeconds(10), () -> !listener.reacquired.isEmpty());
        assertThat(listener.reacquired).containsExactly(own);
        final KeyValue kv = get(etcd, subnets + own.keyName());
        assertThat(kv).isNotNull();
        assertThat(EtcdTestKit.value(kv)).isEqualTo(flannelValue("192.168.100.1"));
        assertThat(kv.getLease()).isNotZero().isNotEqualTo(oldLease);
        EtcdTestKit.await("a delivery with our lease back", Duration.ofSeconds(10),
            () -> listener.deliveries.size() >= 2 && listener.latest().contains(own));
        assertThat(listener.latest()).containsExactly(own);
    }

    @Test
    void shouldSkipAndCountGarbageWhileDeliveringTheGoodLeases() throws Exception {
        putWithLease(etcd, subnets + "10.244.2.0-24", flannelValue("192.168.100.2"), 600);
        put(etcd, subnets + "10.244.3.0-24", "{\"PublicIP\":");
        put(etcd, subnets + "not-a-subnet", flannelValue("192.168.100.4"));
        put(etcd, subnets + "10.99.5.0-24", flannelValue("192.168.100.5"));
        put(etcd, subnets + "10.244.6.0-25", flannelValue("192.168.100.6"));
        put(etcd, subnets + "10.244.7.0-24", "{\"PublicIP\":\"not an address\"}");

        try (EtcdTestKit.CapturedLog log = new EtcdTestKit.CapturedLog()) {
            registry.watch(listener);

            listener.awaitDelivery("with the good lease", leases -> true);
            assertThat(listener.latest()).containsExactly(lease("10.244.2.0/24", "192.168.100.2"));
            assertThat(registry.stats().skippedEntries()).isEqualTo(5);

            put(etcd, subnets + "10.244.8.0-24", "garbage");
            putWithLease(etcd, subnets + "10.244.9.0-24", flannelValue("192.168.100.9"), 600);
            listener.awaitDelivery("with the lease after the garbage", leases -> leases.size() == 2);
            assertThat(registry.stats().skippedEntries()).isEqualTo(6);
            assertThat(log.lines("skipping " + subnets)).hasSize(6);
            assertThat(log.lines("skipping " + subnets + "10.99.5.0-24")).singleElement().asString()
                .contains("not a /24 inside Network 10.244.0.0/16");
        }
    }

    @Test
    void shouldSkipCountAndLogOnceLeasesThatNameASubnetTwiceOrANodeNoneCanReach() throws Exception {
        putWithLease(etcd, subnets + "10.244.2.0-24", flannelValue("192.168.100.2"), 600);
        put(etcd, subnets + "10.244.2.0-024", flannelValue("192.168.100.20"));
        put(etcd, subnets + "10.244.2.0-+24", flannelValue("192.168.100.21"));
        put(etcd, subnets + "10.244.2.5-24", flannelValue("192.168.100.22"));
        put(etcd, subnets + "10.244.3.0-24", flannelValue("127.0.0.1"));
        put(etcd, subnets + "10.244.4.0-24", flannelValue("0.0.0.0"));
        put(etcd, subnets + "10.244.5.0-24", flannelValue("239.1.2.3"));
        put(etcd, subnets + "10.244.6.0-24", flannelValue("255.255.255.255"));

        try (EtcdTestKit.CapturedLog log = new EtcdTestKit.CapturedLog()) {
            registry.watch(listener);

            listener.awaitDelivery("with the one good lease", leases -> true);
            assertThat(listener.latest()).containsExactly(lease("10.244.2.0/24", "192.168.100.2"));
            assertThat(registry.stats().skippedEntries()).isEqualTo(7);

            put(etcd, subnets + "10.244.3.0-24", flannelValue("127.0.0.1"));
            putWithLease(etcd, subnets + "10.244.9.0-24", flannelValue("192.168.100.9"), 600);
            listener.awaitDelivery("with the lease after the rewrite", leases -> leases.size() == 2);
            assertThat(registry.stats().skippedEntries()).as("counted each time seen").isEqualTo(8);
            assertThat(log.lines("skipping " + subnets)).as("logged once per key").hasSize(7);
            assertThat(log.lines("skipping " + subnets + "10.244.3.0-24")).singleElement().asString()
                .contains("PublicIP \"127.0.0.1\" is a loopback address");
        }
    }

    @Test
    void shouldDropALeaseWhenItIsOverwrittenWithGarbage() throws Exception {
        putWithLease(etcd, subnets + "10.244.2.0-24", flannelValue("192.168.100.2"), 600);
        registry.watch(listener);
        listener.awaitDelivery("with the lease", leases -> leases.size() == 1);

        put(etcd, subnets + "10.244.2.0-24", "{}");

        listener.awaitDelivery("without the lease", List::isEmpty);
        assertThat(registry.stats().skippedEntries()).isEqualTo(1);
    }
}
