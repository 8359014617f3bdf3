package io.weft.registry.etcd;

import static io.weft.registry.etcd.EtcdTestKit.delete;
import static io.weft.registry.etcd.EtcdTestKit.flannelValue;
import static io.weft.registry.etcd.EtcdTestKit.get;
import static io.weft.registry.etcd.EtcdTestKit.ip;
import static io.weft.registry.etcd.EtcdTestKit.put;
import static io.weft.registry.etcd.EtcdTestKit.putWithLease;
import static io.weft.registry.etcd.EtcdTestKit.sharedEtcd;
import static io.weft.registry.etcd.EtcdTestKit.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Prefix;

/** Our own key, as the lease keeper defends and renews it: whatever is written over it, the node keeps its subnet. */
class EtcdOwnLeaseTest {
    private static final String OUR_IP = "192.168.100.1";

    private final String prefix = EtcdTestKit.uniquePrefix();
    private final String subnets = prefix + "/subnets/";
    private final EtcdTestKit.RecordingListener listener = new EtcdTestKit.RecordingListener();
    private Client etcd;
    private EtcdLeaseRegistry registry;

    @BeforeEach
    void connect() throws Exception {
        etcd = EtcdTestKit.client(sharedEtcd());
        put(etcd, prefix + "/config", EtcdTestKit.FLANNEL_CONFIG);
    }

    @AfterEach
    void close() {
        if (registry != null) {
            registry.close();
        }
        etcd.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "{}", "{\"PublicIP\":\"192.168.100.77\",\"PublicIPv6\":null}",
        "{\"PublicIP\":\"0.0.0.0\"}", "{\"PublicIP\":\"192.168.100.1\"}"})
    void shouldWriteOurLeaseBackAndKeepTheSubnetWhenOurKeyIsOverwritten(final String written) throws Exception {
        open(Duration.ofHours(1), Duration.ofMinutes(10));
        final Lease own = registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.1.0/24"));
        registry.watch(listener);
        listener.awaitDelivery("with our lease", leases -> leases.contains(own));
        final String key = subnets + own.keyName();
        final long oldLease = get(etcd, key).getLease();

        try (EtcdTestKit.CapturedLog log = new EtcdTestKit.CapturedLog()) {
            // A plain put, as etcdctl does it: the key is detached from our etcd lease.
            put(etcd, key, written);

            EtcdTestKit.await("our lease written back", Duration.ofSeconds(10), () -> ourValueAttached(key));
            assertThat(log.lines("writing our lease back")).as("said once, with what was there").singleElement()
                .asString().contains(written);
        }
        assertThat(keys()).as("no new subnet created").containsExactly(key);
        EtcdTestKit.await("the re-acquisition", Duration.ofSeconds(10), () -> !listener.reacquired.isEmpty());
        assertThat(listener.reacquired).as("the same subnet: flannel0 and the pods keep theirs").containsOnly(own);
        listener.awaitDelivery("with our lease back", leases -> leases.equals(List.of(own)));
        assertThat(EtcdTestKit.ttl(etcd, get(etcd, key).getLease())).as("renewable").isPositive();
        EtcdTestKit.await("the old etcd lease revoked", Duration.ofSeconds(5),
            () -> ttlOrFail(oldLease) == -1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "{}", "{\"PublicIP\":\"0.0.0.0\"}"})
    void shouldTakeOurPreviousSubnetBackAtStartWhenItsKeyHoldsAValueNoNodeCanUse(final String written)
        throws Exception {
        open(Duration.ofHours(1), Duration.ofMinutes(10));
        put(etcd, subnets + "10.244.1.0-24", written);

        final Lease own = registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.1.0/24"));

        assertThat(own.subnet()).as("the subnet cni0 and the pods have").isEqualTo(Ipv4Prefix.parse("10.244.1.0/24"));
        assertThat(ourValueAttached(subnets + "10.244.1.0-24")).isTrue();
        assertThat(keys()).containsExactly(subnets + "10.244.1.0-24");
    }

    @Test
    void shouldLeaveOurPreviousSubnetAtStartWhenItsKeyHoldsAnotherNodesLeaseOrAnEtcdLease() throws Exception {
        open(Duration.ofHours(1), Duration.ofMinutes(10));
        put(etcd, subnets + "10.244.1.0-24", flannelValue("192.168.100.77"));
        putWithLease(etcd, subnets + "10.244.2.0-24", "garbage", 600);

        final Lease first = registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.1.0/24"));
        assertThat(first.subnet()).isNotIn(Ipv4Prefix.parse("10.244.1.0/24"), Ipv4Prefix.parse("10.244.2.0/24"));
        registry.close();
        delete(etcd, subnets + first.keyName());
        open(Duration.ofHours(1), Duration.ofMinutes(10));
        final Lease second = registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.2.0/24"));

        assertThat(second.subnet()).isNotIn(Ipv4Prefix.parse("10.244.1.0/24"), Ipv4Prefix.parse("10.244.2.0/24"));
        assertThat(value(get(etcd, subnets + "10.244.1.0-24"))).isEqualTo(flannelValue("192.168.100.77"));
        assertThat(value(get(etcd, subnets + "10.244.2.0-24"))).isEqualTo("garbage");
    }

    @Test
    void shouldWriteTheReservationBackWhenOurReservationIsOverwrittenWithAnotherPublicIp() throws Exception {
        open(Duration.ofHours(1), Duration.ofMinutes(10));
        put(etcd, subnets + "10.244.7.0-24", flannelValue(OUR_IP));
        final Lease own = registry.acquire(ip(OUR_IP), null);
        assertThat(own.subnet()).isEqualTo(Ipv4Prefix.parse("10.244.7.0/24"));
        registry.watch(listener);
        listener.awaitDelivery("with our lease", leases -> leases.contains(own));

        put(etcd, subnets + "10.244.7.0-24", flannelValue("192.168.100.77"));

        EtcdTestKit.await("our reservation written back", Duration.ofSeconds(10),
            () -> flannelValue(OUR_IP).equals(valueOrNull(subnets + "10.244.7.0-24")));
        assertThat(get(etcd, subnets + "10.244.7.0-24").getLease()).as("still a reservation").isZero();
        assertThat(keys()).containsExactly(subnets + "10.244.7.0-24");
        EtcdTestKit.await("the re-acquisition", Duration.ofSeconds(10), () -> !listener.reacquired.isEmpty());
        assertThat(listener.reacquired).containsOnly(own);
    }

    /** With --auth a reservation must carry our key and epoch, still without an etcd lease. */
    @Test
    void shouldAdvertiseOurKeyOnOurReservation() throws Exception {
        open(Duration.ofHours(1), Duration.ofMinutes(10));
        put(etcd, subnets + "10.244.7.0-24", flannelValue(OUR_IP));
        final BackendData ours = new BackendData(false, Base64.getEncoder().encodeToString(new byte[32]), 42);

        final Lease own = registry.acquire(ip(OUR_IP), null, ours);

        assertThat(own).isEqualTo(new Lease(Ipv4Prefix.parse("10.244.7.0/24"), ip(OUR_IP), ours));
        final KeyValue written = get(etcd, subnets + "10.244.7.0-24");
        assertThat(written.getLease()).as("still a reservation").isZero();
        assertThat(value(written)).contains("\"WeftKey\"", "\"WeftEpoch\":42", "\"PublicIP\":\"" + OUR_IP + "\"");
    }

    /** A key rotation's steps: our value says the new keys on the same etcd lease, and the watch stays quiet. */
    @Test
    void shouldAdvertiseNewKeysOnTheSameEtcdLeaseWithoutAcquiringAgain() throws Exception {
        open(Duration.ofHours(1), Duration.ofMinutes(10));
        final String first = Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'B');
        final String second = first.replace('B', 'C');
        final Lease own = registry.acquire(ip(OUR_IP), null, new BackendData(true, first, 42));
        registry.watch(listener);
        listener.awaitDelivery("with our lease", leases -> leases.contains(own));
        final String key = subnets + own.keyName();
        final long leaseId = get(etcd, key).getLease();

        registry.advertise(new BackendData(true, first, 42, second));
        listener.awaitDelivery("our lease with both keys", leases -> leases.stream()
            .anyMatch(lease -> second.equals(lease.backendData().otherKey())));
        registry.advertise(new BackendData(true, second, 42, first));
        registry.advertise(new BackendData(true, second, 42));

        EtcdTestKit.await("the last keys in our value", Duration.ofSeconds(10),
            () -> valueOrNull(key).contains("\"WeftKey\":\"" + second + "\"") && !valueOrNull(key).contains(first));
        assertThat(get(etcd, key).getLease()).as("the same etcd lease").isEqualTo(leaseId);
        assertThat(value(get(etcd, key))).contains("\"WeftPartialChecksums\":true", "\"WeftEpoch\":42");
        assertThat(keys()).containsExactly(key);
        assertThat(listener.reacquired).as("never acquired again").isEmpty();
    }

    @Test
    void shouldTakeAnotherSubnetWhenAnotherNodesEtcdLeaseHoldsOurKey() throws Exception {
        open(Duration.ofHours(1), Duration.ofMinutes(10));
        final Lease own = registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.1.0/24"));
        registry.watch(listener);
        listener.awaitDelivery("with our lease", leases -> leases.contains(own));

        // As a node that found the key gone and created it under its own etcd lease: the subnet is its now.
        putWithLease(etcd, subnets + own.keyName(), flannelValue("192.168.100.77"), 600);

        EtcdTestKit.await("the re-acquisition", Duration.ofSeconds(10), () -> !listener.reacquired.isEmpty());
        final Lease fresh = listener.reacquired.get(0);
        assertThat(fresh.subnet()).isNotEqualTo(own.subnet());
        assertThat(value(get(etcd, subnets + own.keyName()))).isEqualTo(flannelValue("192.168.100.77"));
        assertThat(value(get(etcd, subnets + fresh.keyName()))).isEqualTo(flannelValue(OUR_IP));
    }

    @Test
    void shouldKeepTryingToAcquireALeaseAgainWhenAnAttemptFailsUnexpectedly() throws Exception {
        open(Duration.ofSeconds(4), Duration.ofSeconds(2));
        final AtomicInteger draws = new AtomicInteger();
        final RandomGenerator failingFirst = () -> {
            if (draws.incrementAndGet() == 1) {
                throw new IllegalStateException("injected failure in the first subnet choice");
            }
            return 0;
        };
        registry.random(failingFirst);
        final Lease own = registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.1.0/24"));
        final long leaseId = get(etcd, subnets + own.keyName()).getLease();

        try (EtcdTestKit.CapturedLog log = new EtcdTestKit.CapturedLog()) {
            // Our etcd lease ends and another node takes the subnet: the next renewal finds the lease gone and has to
            // choose a new subnet at random, where the first attempt fails.
            etcd.getLeaseClient().revoke(leaseId).get(5, TimeUnit.SECONDS);
            putWithLease(etcd, subnets + own.keyName(), flannelValue("192.168.100.77"), 600);

            EtcdTestKit.await("a lease of ours again", Duration.ofSeconds(15),
                () -> keys().stream().anyMatch(key -> flannelValue(OUR_IP).equals(valueOrNull(key))));
            assertThat(draws).hasValueGreaterThanOrEqualTo(2);
            assertThat(log.lines("injected failure")).as("logged, not swallowed").isNotEmpty();
        }
        final long renewalsBefore = registry.stats().renewalsOk();
        EtcdTestKit.await("renewals of the new lease", Duration.ofSeconds(10),
            () -> registry.stats().renewalsOk() > renewalsBefore);
    }

    /**
     * A hand-over: the new weftd adopts the old one's etcd lease as it is. A plain acquire would move the key to a new
     * etcd lease, which the old weftd's keeper would take back while it still runs: the key would flap between them.
     */
    @Test
    void shouldAdoptThePredecessorsEtcdLeaseWithoutWritingAnything() throws Exception {
        open(Duration.ofHours(1), Duration.ofMinutes(10));
        final Lease own = registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.1.0/24"));
        registry.watch(listener);
        final String key = subnets + own.keyName();
        final KeyValue before = get(etcd, key);
        final long predecessorLease = registry.ownLeaseId();
        assertThat(predecessorLease).isEqualTo(before.getLease()).isNotZero();

        try (EtcdLeaseRegistry successor = EtcdLeaseRegistry.open(EtcdTestKit.config(sharedEtcd(), prefix)
            .withLease(Duration.ofHours(1), Duration.ofMinutes(10)))) {
            successor.awaitNetworkConfig();
            final Lease adopted = successor.acquire(ip(OUR_IP), null, false, predecessorLease);

            assertThat(adopted).isEqualTo(own);
            assertThat(successor.ownLeaseId()).isEqualTo(predecessorLease);
            final KeyValue after = get(etcd, key);
            assertThat(after.getModRevision()).as("nothing written").isEqualTo(before.getModRevision());
            assertThat(after.getLease()).isEqualTo(predecessorLease);
            registry.close();
            registry = null;
            assertThat(EtcdTestKit.ttl(etcd, predecessorLease)).as("the stop revokes nothing").isPositive();
            assertThat(keys()).containsExactly(key);
        }
    }

    /**
     * With --auth every start has a new epoch: the successor adopts the same etcd lease but writes its own value, so
     * the other nodes learn its keys.
     */
    @Test
    void shouldAdoptThePredecessorsEtcdLeaseWithTheSuccessorsBackendData() throws Exception {
        open(Duration.ofHours(1), Duration.ofMinutes(10));
        final String key1 = Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'K');
        final Lease own = registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.1.0/24"),
            new BackendData(true, key1, 1));
        final long predecessorLease = registry.ownLeaseId();
        final String key = subnets + own.keyName();

        try (EtcdLeaseRegistry successor = EtcdLeaseRegistry.open(EtcdTestKit.config(sharedEtcd(), prefix)
            .withLease(Duration.ofHours(1), Duration.ofMinutes(10)))) {
            successor.awaitNetworkConfig();
            final BackendData next = new BackendData(true, key1, 2);
            final Lease adopted = successor.acquire(ip(OUR_IP), null, next, predecessorLease);

            assertThat(adopted).isEqualTo(new Lease(own.subnet(), ip(OUR_IP), next));
            assertThat(successor.ownLeaseId()).isEqualTo(predecessorLease);
            final KeyValue after = get(etcd, key);
            assertThat(after.getLease()).as("the same etcd lease").isEqualTo(predecessorLease);
            assertThat(after.getValue().toString(StandardCharsets.UTF_8))
                .contains("\"WeftEpoch\":2");
        }
    }

    /**
     * A lease id that is not on our key (the predecessor re-acquired meanwhile, or its lease expired): the hand-over
     * fails, naming why, and nothing is written. A plain acquire would move our key away from the running weftd,
     * whose keeper would take it back, and each would go on taking it from the other.
     */
    @Test
    void shouldRefuseToTakeOverWhenThePredecessorsLeaseIsNotOnOurKey() throws Exception {
        open(Duration.ofHours(1), Duration.ofMinutes(10));
        final long unrelated = putWithLease(etcd, prefix + "/unrelated", "x", 3600);
        final List<String> before = keys();
        assertThatThrownBy(() -> registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.1.0/24"), false, unrelated))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("cannot adopt the etcd lease " + Long.toHexString(unrelated))
            .hasMessageContaining("no key is attached to it");
        assertThat(keys()).isEqualTo(before);
    }

    private void open(final Duration ttl, final Duration margin) throws Exception {
        registry = EtcdLeaseRegistry.open(EtcdTestKit.config(sharedEtcd(), prefix).withLease(ttl, margin));
        registry.awaitNetworkConfig();
    }

    private boolean ourValueAttached(final String key) {
        try {
            final KeyValue kv = get(etcd, key);
            return kv != null && flannelValue(OUR_IP).equals(value(kv)) && kv.getLease() != 0;
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String valueOrNull(final String key) {
        try {
            final KeyValue kv = get(etcd, key);
            return kv == null ? null : value(kv);
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long ttlOrFail(final long leaseId) {
        try {
            return EtcdTestKit.ttl(etcd, leaseId);
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> keys() {
        try {
            return etcd.getKVClient().get(EtcdTestKit.bytes(subnets), GetOption.builder().isPrefix(true).build())
                .get(5, TimeUnit.SECONDS).getKvs().stream().map(kv -> kv.getKey().toString(StandardCharsets.UTF_8))
                .toList();
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
