package io.weft.registry.etcd;

import static io.weft.registry.etcd.EtcdTestKit.delete;
import static io.weft.registry.etcd.EtcdTestKit.flannelValue;
import static io.weft.registry.etcd.EtcdTestKit.ip;
import static io.weft.registry.etcd.EtcdTestKit.lease;
import static io.weft.registry.etcd.EtcdTestKit.put;
import static io.weft.registry.etcd.EtcdTestKit.putWithLease;
import static io.weft.registry.etcd.EtcdTestKit.sharedEtcd;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import io.etcd.jetcd.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.registry.LeaseCodec;
import io.weft.routing.Ipv4Prefix;

/** {@code <prefix>/config} written while weftd runs: applied live where it can be, said loudly where it cannot. */
class EtcdConfigWatchTest {
    private static final String WIDENED = "{\"Network\":\"10.244.0.0/15\",\"Backend\":{\"Type\":\"udp\"}}";

    private final String prefix = EtcdTestKit.uniquePrefix();
    private final String configKey = prefix + "/config";
    private final String subnets = prefix + "/subnets/";
    private final EtcdTestKit.RecordingListener listener = new EtcdTestKit.RecordingListener();
    private Client etcd;
    private EtcdLeaseRegistry registry;
    private Lease own;

    @BeforeEach
    void open() throws Exception {
        etcd = EtcdTestKit.client(sharedEtcd());
        put(etcd, configKey, EtcdTestKit.FLANNEL_CONFIG);
        registry = EtcdLeaseRegistry.open(EtcdTestKit.config(sharedEtcd(), prefix));
        registry.awaitNetworkConfig();
        own = registry.acquire(ip("192.168.100.1"), Ipv4Prefix.parse("10.244.1.0/24"));
    }

    @AfterEach
    void close() {
        registry.close();
        etcd.close();
    }

    @Test
    void shouldRouteTheLeasesOfNewSubnetsWhenTheNetworkIsWidenedWhileRunning() throws Exception {
        putWithLease(etcd, subnets + "10.245.3.0-24", flannelValue("192.168.100.3"), 600);
        registry.watch(listener);
        listener.awaitDelivery("with our lease only", leases -> leases.equals(List.of(own)));

        put(etcd, configKey, WIDENED);

        listener.awaitDelivery("with the lease the wider Network holds",
            leases -> leases.equals(List.of(own, lease("10.245.3.0/24", "192.168.100.3"))));
        putWithLease(etcd, subnets + "10.245.4.0-24", flannelValue("192.168.100.4"), 600);
        listener.awaitDelivery("with a lease written after the change", leases -> leases.size() == 3);
        assertThat(listener.configs).singleElement().satisfies(config ->
            assertThat(config.network()).isEqualTo(Ipv4Prefix.parse("10.244.0.0/15")));
        assertThat(registry.stats().configChangesPending()).isEmpty();
    }

    /** A lease the Network no longer holds goes; widened back, the Network gives it back as written, key and all. */
    @Test
    void shouldGiveBackALeaseWithItsKeyWhenTheNetworkNarrowedAndWidenedAgain() throws Exception {
        final byte[] key = new byte[32];
        Arrays.fill(key, (byte)7);
        final byte[] otherKey = new byte[32];
        Arrays.fill(otherKey, (byte)8);
        final Lease keyed = new Lease(Ipv4Prefix.parse("10.244.200.0/24"), ip("192.168.100.9"),
            new BackendData(true, Base64.getEncoder().encodeToString(key), 77,
                Base64.getEncoder().encodeToString(otherKey)));
        putWithLease(etcd, subnets + keyed.keyName(), LeaseCodec.encodeValue(keyed.publicIp(), keyed.backendData()),
            600);
        registry.watch(listener);
        listener.awaitDelivery("with both leases", leases -> leases.equals(List.of(own, keyed)));

        put(etcd, configKey, "{\"Network\":\"10.244.0.0/17\",\"Backend\":{\"Type\":\"udp\"}}");
        EtcdTestKit.await("the lease outside the narrower Network gone", Duration.ofSeconds(10),
            () -> List.of(own).equals(listener.latest()));
        put(etcd, configKey, EtcdTestKit.FLANNEL_CONFIG);

        EtcdTestKit.await("the lease back as written", Duration.ofSeconds(10),
            () -> List.of(own, keyed).equals(listener.latest()));
        assertThat(listener.configs).hasSize(2);
    }

    @Test
    void shouldApplyAConfigWrittenBetweenStartAndTheFirstSnapshot() throws Exception {
        putWithLease(etcd, subnets + "10.245.3.0-24", flannelValue("192.168.100.3"), 600);
        put(etcd, configKey, WIDENED);

        registry.watch(listener);

        final EtcdTestKit.RecordingListener.Delivery first = listener.awaitDelivery("the snapshot", leases -> true);
        assertThat(first.leases()).containsExactly(own, lease("10.245.3.0/24", "192.168.100.3"));
        assertThat(listener.configs).hasSize(1);
    }

    @Test
    void shouldKeepRunningTheOldConfigAndSaySoOnceWhenSubnetLenPortOrTypeChange() throws Exception {
        registry.watch(listener);
        listener.awaitDelivery("with our lease", leases -> leases.contains(own));

        try (EtcdTestKit.CapturedLog log = new EtcdTestKit.CapturedLog()) {
            put(etcd, configKey, "{\"Network\":\"10.244.0.0/15\",\"SubnetLen\":25}");
            awaitPending(List.of("Network", "SubnetLen"));
            put(etcd, configKey, "{\"Network\":\"10.244.0.0/15\",\"SubnetLen\":25,\"SubnetMin\":\"10.244.0.128\"}");
            putWithLease(etcd, subnets + "10.244.9.0-24", flannelValue("192.168.100.9"), 600);
            putWithLease(etcd, subnets + "10.244.10.128-25", flannelValue("192.168.100.10"), 600);

            listener.awaitDelivery("with a lease of the length the node runs with",
                leases -> leases.contains(lease("10.244.9.0/24", "192.168.100.9")));
            assertThat(listener.latest()).containsExactly(own, lease("10.244.9.0/24", "192.168.100.9"));
            assertThat(log.lines("cannot apply")).as("once for the same pending keys").singleElement().asString()
                .contains("WARN").contains("SubnetLen").contains("/readyz says 503");

            put(etcd, configKey, "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"udp\",\"Port\":9000}}");
            awaitPending(List.of("Backend.Port"));
            put(etcd, configKey, "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}");
            awaitPending(List.of("Backend.Type"));
            // The warning follows the pending state that awaitPending sees: wait for it rather than race it.
            EtcdTestKit.await("a third warning", Duration.ofSeconds(5), () -> log.lines("cannot apply").size() >= 3);
            assertThat(log.lines("cannot apply")).hasSize(3);

            put(etcd, configKey, EtcdTestKit.FLANNEL_CONFIG);
            awaitPending(List.of());
            EtcdTestKit.await("the all-clear", Duration.ofSeconds(5),
                () -> !log.lines("nothing waits for a restart").isEmpty());
            assertThat(log.lines("nothing waits for a restart")).hasSize(1);
        }
        assertThat(listener.configs).as("nothing of those applied").isEmpty();
        assertThat(registry.stats().invalidConfigs()).isZero();
    }

    @Test
    void shouldKeepTheConfigAndNameTheNetworkWhenItNoLongerHoldsOurSubnet() throws Exception {
        putWithLease(etcd, subnets + "10.244.2.0-24", flannelValue("192.168.100.2"), 600);
        registry.watch(listener);
        listener.awaitDelivery("with both leases", leases -> leases.size() == 2);

        put(etcd, configKey, "{\"Network\":\"10.50.0.0/16\"}");

        awaitPending(List.of("Network"));
        assertThat(listener.latest()).containsExactly(own, lease("10.244.2.0/24", "192.168.100.2"));
        assertThat(listener.configs).isEmpty();
    }

    @Test
    void shouldKeepTheLastGoodConfigCountAndLogOnceWhenTheConfigIsGarbageOrDeleted() throws Exception {
        registry.watch(listener);
        listener.awaitDelivery("with our lease", leases -> leases.contains(own));

        try (EtcdTestKit.CapturedLog log = new EtcdTestKit.CapturedLog()) {
            put(etcd, configKey, "{\"Network\":");
            EtcdTestKit.await("the garbage counted", Duration.ofSeconds(5),
                () -> registry.stats().invalidConfigs() == 1);
            put(etcd, configKey, "{\"Network\":");
            EtcdTestKit.await("the garbage counted again", Duration.ofSeconds(5),
                () -> registry.stats().invalidConfigs() == 2);
            putWithLease(etcd, subnets + "10.244.2.0-24", flannelValue("192.168.100.2"), 600);
            listener.awaitDelivery("with a lease written after the garbage", leases -> leases.size() == 2);
            delete(etcd, configKey);
            EtcdTestKit.await("the deletion counted", Duration.ofSeconds(5),
                () -> registry.stats().invalidConfigs() == 3);

            EtcdTestKit.await("the second warning", Duration.ofSeconds(5),
                () -> log.lines("cannot be used").size() >= 2);
            assertThat(log.lines("cannot be used")).as("once per distinct problem").hasSize(2);
            assertThat(log.lines("cannot be used").get(0)).contains(configKey).contains("not JSON")
                .contains("keeping Network 10.244.0.0/16");

            put(etcd, configKey, WIDENED);
            EtcdTestKit.await("the good config applied", Duration.ofSeconds(5), () -> listener.configs.size() == 1);
        }
        assertThat(registry.stats().configChangesPending()).isEmpty();
    }

    private void awaitPending(final List<String> keys) throws InterruptedException {
        EtcdTestKit.await("pending " + keys, Duration.ofSeconds(5),
            () -> registry.stats().configChangesPending().equals(keys));
    }
}
