package io.weft.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;

import io.weft.registry.Lease;
import io.weft.registry.LeaseChanges;
import io.weft.registry.LeaseListener;
import io.weft.registry.NetworkConfig;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;

/** One etcd shared by the tests that do not crash it, each test under a prefix of its own, and helpers around it. */
final class EtcdTestKit {
    static final String FLANNEL_CONFIG = "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"udp\"}}";
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static EtcdServer shared;

    private EtcdTestKit() {
    }

    static synchronized EtcdServer sharedEtcd() {
        if (shared == null) {
            try {
                shared = EtcdServer.startOnLoopback(Files.createTempDirectory("weft-etcd-"));
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
            final EtcdServer server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        }
        return shared;
    }

    /** A prefix no other test uses, shaped like flannel's. */
    static String uniquePrefix() {
        return "/t" + PREFIXES.incrementAndGet() + "/coreos.com/network";
    }

    /** Quick timings so that outages and retries fit in a test. */
    static EtcdRegistryConfig config(final EtcdServer etcd, final String prefix) {
        return EtcdRegistryConfig.defaults(List.of(etcd.endpoint())).withPrefix(prefix)
            .withTimings(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMillis(50));
    }

    static Client client(final EtcdServer etcd) {
        EtcdClients.quietLibraryLogging();
        return Client.builder().endpoints(etcd.endpoint()).build();
    }

    static ByteSequence bytes(final String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    static void put(final Client client, final String key, final String value) throws Exception {
        client.getKVClient().put(bytes(key), bytes(value)).get(5, TimeUnit.SECONDS);
    }

    /** As flanneld writes a lease: a fresh etcd lease, then a put attached to it. */
    static long putWithLease(final Client client, final String key, final String value, final long ttlSeconds)
        throws Exception {
        final long leaseId = client.getLeaseClient().grant(ttlSeconds).get(5, TimeUnit.SECONDS).getID();
        client.getKVClient().put(bytes(key), bytes(value), PutOption.builder().withLeaseId(leaseId).build())
            .get(5, TimeUnit.SECONDS);
        return leaseId;
    }

    static void delete(final Client client, final String key) throws Exception {
        client.getKVClient().delete(bytes(key)).get(5, TimeUnit.SECONDS);
    }

    static KeyValue get(final Client client, final String key) throws Exception {
        final List<KeyValue> kvs = client.getKVClient().get(bytes(key)).get(5, TimeUnit.SECONDS).getKvs();
        return kvs.isEmpty() ? null : kvs.get(0);
    }

    static String value(final KeyValue kv) {
        return kv.getValue().toString(StandardCharsets.UTF_8);
    }

    /** Remaining TTL in seconds of an etcd lease, -1 when it is gone. */
    static long ttl(final Client client, final long leaseId) throws Exception {
        return client.getLeaseClient().timeToLive(leaseId, LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS).getTTL();
    }

    static long grantedTtl(final Client client, final long leaseId) throws Exception {
        return client.getLeaseClient().timeToLive(leaseId, LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS)
            .getGrantedTTL();
    }

    static String flannelValue(final String publicIp) {
        return "{\"PublicIP\":\"" + publicIp + "\",\"PublicIPv6\":null}";
    }

    static Lease lease(final String subnet, final String publicIp) {
        return new Lease(Ipv4Prefix.parse(subnet), Ipv4Addresses.parse(publicIp));
    }

    static int ip(final String dotted) {
        return Ipv4Addresses.parse(dotted);
    }

    static void await(final String what, final Duration timeout, final BooleanSupplier condition)
        throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("timed out waiting for " + what).isNegative();
            Thread.sleep(20);
        }
    }

    /** Records every delivery, for assertions on what the listener saw and when. */
    static final class RecordingListener implements LeaseListener {
        record Delivery(List<Lease> leases, long observedNanos, long deliveredNanos, String thread) {
        }

        /** What a batch of events changed ({@link LeaseListener#onLeaseChanges}), as the registry delivered it. */
        record Change(List<Lease> gone, List<Lease> added) {
        }

        final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        /** Each change delivered alone; its set after it goes to {@link #deliveries} too. */
        final List<Change> changes = new CopyOnWriteArrayList<>();
        final List<Lease> reacquired = new CopyOnWriteArrayList<>();
        final List<NetworkConfig> configs = new CopyOnWriteArrayList<>();

        @Override
        public void onLeases(final List<Lease> leases, final long observedNanos) {
            deliveries.add(new Delivery(leases, observedNanos, System.nanoTime(), Thread.currentThread().getName()));
        }

        @Override
        public void onLeaseChanges(final LeaseChanges change, final long observedNanos) {
            changes.add(new Change(change.gone(), change.added()));
            onLeases(change.all(), observedNanos);
        }

        @Override
        public void onOwnLeaseReacquired(final Lease lease) {
            reacquired.add(lease);
        }

        @Override
        public void onNetworkConfig(final NetworkConfig applied) {
            configs.add(applied);
        }

        List<Lease> latest() {
            return deliveries.isEmpty() ? null : deliveries.get(deliveries.size() - 1).leases();
        }

        /** Waits for a delivery that satisfies {@code condition} and returns it. */
        Delivery awaitDelivery(final String what, final Predicate<List<Lease>> condition) throws InterruptedException {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                for (final Delivery delivery : new ArrayList<>(deliveries)) {
                    if (condition.test(delivery.leases())) {
                        return delivery;
                    }
                }
                assertThat(System.nanoTime() - deadline).as("timed out waiting for a delivery " + what +
                    "; deliveries: " + deliveries).isNegative();
                Thread.sleep(20);
            }
        }
    }

    /** Captures weftd's log lines (System.err) while a test runs. */
    static final class CapturedLog implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        CapturedLog() {
            System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        }

        synchronized List<String> lines(final String containing) {
            return bytes.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains(containing)).toList();
        }

        @Override
        public void close() {
            System.setErr(original);
            original.print(bytes.toString(StandardCharsets.UTF_8));
        }
    }
}
