package io.weft.registry.etcd;

import static io.weft.registry.etcd.EtcdTestKit.flannelValue;
import static io.weft.registry.etcd.EtcdTestKit.get;
import static io.weft.registry.etcd.EtcdTestKit.put;
import static io.weft.registry.etcd.EtcdTestKit.sharedEtcd;
import static io.weft.registry.etcd.EtcdTestKit.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.Client;
import org.junit.jupiter.api.Test;

import io.weft.registry.Lease;
import io.weft.routing.Ipv4Addresses;

class EtcdConcurrentAcquireTest {
    private static final int NODES = 20;

    @Test
    void shouldGiveDistinctSubnetsWhenTwentyNodesAcquireAtOnce() throws Exception {
        final String prefix = EtcdTestKit.uniquePrefix();
        final List<EtcdLeaseRegistry> registries = new ArrayList<>();
        final ExecutorService nodes = Executors.newFixedThreadPool(NODES);
        try (Client etcd = EtcdTestKit.client(sharedEtcd())) {
            // 24 subnets for 20 nodes: most random picks collide, so the create-if-absent races are real.
            put(etcd, prefix + "/config",
                "{\"Network\":\"10.244.0.0/16\",\"SubnetMin\":\"10.244.1.0\",\"SubnetMax\":\"10.244.24.0\"}");
            for (int node = 0; node < NODES; node++) {
                final EtcdLeaseRegistry registry = EtcdLeaseRegistry.open(EtcdTestKit.config(sharedEtcd(), prefix));
                registry.awaitNetworkConfig();
                registries.add(registry);
            }
            final CountDownLatch start = new CountDownLatch(1);
            final List<Future<Lease>> acquired = new ArrayList<>();
            for (int node = 0; node < NODES; node++) {
                final EtcdLeaseRegistry registry = registries.get(node);
                final int publicIp = Ipv4Addresses.parse("192.168.100.1") + node;
                acquired.add(nodes.submit(() -> {
                    start.await();
                    return registry.acquire(publicIp, null);
                }));
            }
            start.countDown();

            final List<Lease> leases = new ArrayList<>();
            for (final Future<Lease> lease : acquired) {
                leases.add(lease.get(60, TimeUnit.SECONDS));
            }

            assertThat(leases.stream().map(Lease::subnet).distinct()).hasSize(NODES);
            assertThat(leases.stream().map(Lease::publicIp).distinct()).hasSize(NODES);
            for (final Lease lease : leases) {
                assertThat(value(get(etcd, prefix + "/subnets/" + lease.keyName())))
                    .isEqualTo(flannelValue(Ipv4Addresses.format(lease.publicIp())));
            }
            assertThat(etcd.getKVClient().get(EtcdTestKit.bytes(prefix + "/subnets/"),
                io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build()).get().getCount())
                .isEqualTo(NODES);
        } finally {
            nodes.shutdownNow();
            registries.forEach(EtcdLeaseRegistry::close);
        }
    }
}
