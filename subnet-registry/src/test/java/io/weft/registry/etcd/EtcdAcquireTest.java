package io.weft.registry.etcd;

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
import java.time.Duration;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.weft.registry.Lease;
import io.weft.routing.Ipv4Prefix;

class EtcdAcquireTest {
    private static final String OUR_IP = "192.168.100.1";

    private final String prefix = EtcdTestKit.uniquePrefix();
    private final String subnets = prefix + "/subnets/";
    private Client etcd;
    private EtcdLeaseRegistry registry;

    @BeforeEach
    void connect() {
        etcd = EtcdTestKit.client(sharedEtcd());
    }

    @AfterEach
    void close() {
        if (registry != null) {
            registry.close();
        }
        etcd.close();
    }

    @Test
    void shouldWriteFlannelsValueAttachedToAnEtcdLeaseWithTheTtlWhenCreatingALease() throws Exception {
        open("{\"Network\":\"10.244.0.0/16\"}", Duration.ofHours(24), Duration.ofMinutes(60));

        final Lease lease = registry.acquire(ip(OUR_IP), null);

        final KeyValue kv = get(etcd, subnets + lease.keyName());
        assertThat(kv).isNotNull();
        assertThat(value(kv)).isEqualTo("{\"PublicIP\":\"192.168.100.1\",\"PublicIPv6\":null}");
        assertThat(kv.getLease()).isNotZero();
        assertThat(EtcdTestKit.grantedTtl(etcd, kv.getLease())).isEqualTo(86_400);
        assertThat(EtcdTestKit.ttl(etcd, kv.getLease())).isBetween(86_390L, 86_400L);
        assertThat(lease.publicIp()).isEqualTo(ip(OUR_IP));
        assertThat(lease.subnet().length()).isEqualTo(24);
        assertThat(Integer.compareUnsigned(lease.subnet().address(), ip("10.244.1.0"))).as("SubnetMin")
            .isGreaterThanOrEqualTo(0);
    }

    @Test
    void shouldReuseTheLeaseWhenOneCarriesOurPublicIp() throws Exception {
        open("{\"Network\":\"10.244.0.0/16\"}", Duration.ofHours(1), Duration.ofMinutes(10));
        putWithLease(etcd, subnets + "10.244.6.0-24", flannelValue("192.168.100.6"), 600);
        final long oldLease = putWithLease(etcd, subnets + "10.244.7.0-24",
            "{\"PublicIP\":\"192.168.100.1\",\"BackendType\":\"udp\"}", 600);

        final Lease lease = registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.9.0/24"));

        assertThat(lease).isEqualTo(EtcdTestKit.lease("10.244.7.0/24", OUR_IP));
        final KeyValue kv = get(etcd, subnets + "10.244.7.0-24");
        assertThat(value(kv)).as("rewritten as flannel writes it").isEqualTo(flannelValue(OUR_IP));
        assertThat(kv.getLease()).as("moved to a fresh etcd lease, as flannel").isNotEqualTo(oldLease).isNotZero();
        assertThat(EtcdTestKit.grantedTtl(etcd, kv.getLease())).isEqualTo(3_600);
        assertThat(get(etcd, subnets + "10.244.9.0-24")).isNull();
    }

    @Test
    void shouldTakeThePreviousSubnetWhenItIsFree() throws Exception {
        open("{\"Network\":\"10.244.0.0/16\"}", Duration.ofHours(1), Duration.ofMinutes(10));
        putWithLease(etcd, subnets + "10.244.1.0-24", flannelValue("192.168.100.9"), 600);

        final Lease lease = registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.42.0/24"));

        assertThat(lease).isEqualTo(EtcdTestKit.lease("10.244.42.0/24", OUR_IP));
        assertThat(value(get(etcd, subnets + "10.244.42.0-24"))).isEqualTo(flannelValue(OUR_IP));
    }

    @Test
    void shouldPickAFreeSubnetWithinSubnetMinAndMaxWhenThePreviousOneIsTaken() throws Exception {
        open("{\"Network\":\"10.244.0.0/16\",\"SubnetMin\":\"10.244.10.0\",\"SubnetMax\":\"10.244.13.0\"}",
            Duration.ofHours(1), Duration.ofMinutes(10));
        putWithLease(etcd, subnets + "10.244.10.0-24", flannelValue("192.168.100.10"), 600);
        putWithLease(etcd, subnets + "10.244.12.0-24", flannelValue("192.168.100.12"), 600);

        final Lease lease = registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.12.0/24"));

        assertThat(lease.subnet()).isIn(Ipv4Prefix.parse("10.244.11.0/24"), Ipv4Prefix.parse("10.244.13.0/24"));
        assertThat(value(get(etcd, subnets + "10.244.12.0-24"))).isEqualTo(flannelValue("192.168.100.12"));
    }

    @Test
    void shouldNeverTakeAReservationForAnotherNodeWhenItIsOurPreviousSubnet() throws Exception {
        open("{\"Network\":\"10.244.0.0/16\",\"SubnetMin\":\"10.244.5.0\",\"SubnetMax\":\"10.244.6.0\"}",
            Duration.ofHours(1), Duration.ofMinutes(10));
        put(etcd, subnets + "10.244.5.0-24", flannelValue("192.168.100.5"));

        final Lease lease = registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.5.0/24"));

        assertThat(lease).isEqualTo(EtcdTestKit.lease("10.244.6.0/24", OUR_IP));
        final KeyValue reservation = get(etcd, subnets + "10.244.5.0-24");
        assertThat(value(reservation)).isEqualTo(flannelValue("192.168.100.5"));
        assertThat(reservation.getLease()).isZero();
    }

    @Test
    void shouldLeaveASubnetAloneWhenFlanneldReadsAKeyAsNamingItThoughWeftRefusesTheKey() throws Exception {
        open("{\"Network\":\"10.244.0.0/16\",\"SubnetMin\":\"10.244.5.0\",\"SubnetMax\":\"10.244.6.0\"}",
            Duration.ofHours(1), Duration.ofMinutes(10));
        putWithLease(etcd, subnets + "10.244.5.0-024", flannelValue("192.168.100.5"), 600);

        final Lease lease = registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.5.0/24"));

        assertThat(lease).isEqualTo(EtcdTestKit.lease("10.244.6.0/24", OUR_IP));
        assertThat(get(etcd, subnets + "10.244.5.0-24")).isNull();
    }

    @ParameterizedTest
    @CsvSource({"10.244.5.0-24, 10.244.5.0/24", "10.244.5.0-024, 10.244.5.0/24", "10.244.5.7-24, 10.244.5.0/24",
        "x10.244.5.0-24y, 10.244.5.0/24", "10.244.5.0-0, 0.0.0.0/0", "10.244.5.0-+24,", "10.244.5.0-32,",
        "10.244.05.0-24,", "10.244.5-24,", "10.244.5.0-99999999999,", "'',"})
    void shouldReadKeysAsFlannelsParseSubnetKeyDoesWhenDecidingWhatIsTaken(final String key, final String subnet) {
        assertThat(LeaseAcquirer.subnetAsFlannelReadsIt(key))
            .isEqualTo(subnet == null ? null : Ipv4Prefix.parse(subnet));
    }

    @Test
    void shouldReturnTheReservationAsItIsWhenItCarriesOurPublicIp() throws Exception {
        open("{\"Network\":\"10.244.0.0/16\"}", Duration.ofHours(1), Duration.ofMinutes(10));
        put(etcd, subnets + "10.244.77.0-24", "{\"PublicIP\":\"192.168.100.1\"}");
        final long modRevision = get(etcd, subnets + "10.244.77.0-24").getModRevision();

        final Lease lease = registry.acquire(ip(OUR_IP), Ipv4Prefix.parse("10.244.3.0/24"));

        assertThat(lease).isEqualTo(EtcdTestKit.lease("10.244.77.0/24", OUR_IP));
        final KeyValue reservation = get(etcd, subnets + "10.244.77.0-24");
        assertThat(reservation.getLease()).as("still a reservation").isZero();
        assertThat(reservation.getModRevision()).as("untouched").isEqualTo(modRevision);
    }

    @Test
    void shouldRenewTheEtcdLeaseMarginBeforeExpiryWhenTheTtlIsShort() throws Exception {
        open("{\"Network\":\"10.244.0.0/16\"}", Duration.ofSeconds(4), Duration.ofSeconds(2));
        final Lease lease = registry.acquire(ip(OUR_IP), null);
        final long leaseId = get(etcd, subnets + lease.keyName()).getLease();

        EtcdTestKit.await("two renewals", Duration.ofSeconds(10), () -> registry.stats().renewalsOk() >= 2);
        Thread.sleep(1_000);

        assertThat(EtcdTestKit.ttl(etcd, leaseId)).as("renewed every ~2 s, never expired").isBetween(1L, 4L);
        final KeyValue kv = get(etcd, subnets + lease.keyName());
        assertThat(kv).as("the key outlived its first TTL").isNotNull();
        assertThat(kv.getLease()).isEqualTo(leaseId);
        assertThat(registry.stats().renewalsFailed()).isZero();
    }

    @Test
    void shouldFailNamingTheRangeWhenEverySubnetIsTaken() throws Exception {
        open("{\"Network\":\"10.244.0.0/16\",\"SubnetMin\":\"10.244.5.0\",\"SubnetMax\":\"10.244.5.0\"}",
            Duration.ofHours(1), Duration.ofMinutes(10));
        putWithLease(etcd, subnets + "10.244.5.0-24", flannelValue("192.168.100.5"), 600);

        assertThatThrownBy(() -> registry.acquire(ip(OUR_IP), null))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("no free subnet under " + subnets)
            .hasMessageContaining("SubnetMin 10.244.5.0");
    }

    private void open(final String networkConfig, final Duration ttl, final Duration margin) throws Exception {
        put(etcd, prefix + "/config", networkConfig);
        registry = EtcdLeaseRegistry.open(EtcdTestKit.config(sharedEtcd(), prefix).withLease(ttl, margin));
        registry.awaitNetworkConfig();
    }
}
