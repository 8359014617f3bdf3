package io.weft.registry.etcd;

import static io.weft.registry.etcd.EtcdTestKit.config;
import static io.weft.registry.etcd.EtcdTestKit.put;
import static io.weft.registry.etcd.EtcdTestKit.sharedEtcd;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.weft.registry.NetworkConfig;
import io.weft.routing.Ipv4Prefix;

class EtcdNetworkConfigTest {
    private final String prefix = EtcdTestKit.uniquePrefix();
    private final String key = prefix + "/config";
    private Client etcd;
    private EtcdLeaseRegistry registry;

    @BeforeEach
    void open() throws Exception {
        etcd = EtcdTestKit.client(sharedEtcd());
        registry = EtcdLeaseRegistry.open(config(sharedEtcd(), prefix));
    }

    @AfterEach
    void close() {
        registry.close();
        etcd.close();
    }

    @Test
    void shouldWaitLoggingOnceWhenTheConfigIsMissingThenReturnAsSoonAsItIsWritten() throws Exception {
        try (EtcdTestKit.CapturedLog log = new EtcdTestKit.CapturedLog()) {
            final CompletableFuture<NetworkConfig> config = awaitInBackground();
            Thread.sleep(600); // a dozen polls

            assertThat(config).isNotDone();
            assertThat(log.lines("not found")).hasSize(1).allMatch(line -> line.contains(key) &&
                line.contains(" weftd WARN "));

            put(etcd, key, EtcdTestKit.FLANNEL_CONFIG);
            final long writtenNanos = System.nanoTime();
            final NetworkConfig read = config.get(5, TimeUnit.SECONDS);

            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - writtenNanos)).isLessThan(1_000);
            assertThat(read.network()).isEqualTo(Ipv4Prefix.parse("10.244.0.0/16"));
            assertThat(read.backendPort()).isEqualTo(8285);
        }
    }

    @Test
    void shouldNameTheKeyAndKeepWaitingWhenTheConfigIsInvalid() throws Exception {
        try (EtcdTestKit.CapturedLog log = new EtcdTestKit.CapturedLog()) {
            put(etcd, key, "{\"Network\":");
            final CompletableFuture<NetworkConfig> config = awaitInBackground();
            awaitLine(log, "not JSON");
            put(etcd, key, "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}");
            awaitLine(log, "Backend.Type is \"vxlan\"");
            put(etcd, key, "{\"Network\":\"10.244.0.0/33\"}");
            awaitLine(log, "Network \"10.244.0.0/33\"");
            Thread.sleep(300);

            assertThat(config).isNotDone();
            assertThat(log.lines("is invalid")).hasSize(3).allMatch(line -> line.contains(key));

            put(etcd, key, "{\"Network\":\"10.50.0.0/16\",\"SubnetLen\":26}");
            final NetworkConfig read = config.get(5, TimeUnit.SECONDS);
            assertThat(read.network()).isEqualTo(Ipv4Prefix.parse("10.50.0.0/16"));
            assertThat(read.subnetLength()).isEqualTo(26);
        }
    }

    private CompletableFuture<NetworkConfig> awaitInBackground() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return registry.awaitNetworkConfig();
            } catch (final InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void awaitLine(final EtcdTestKit.CapturedLog log, final String text) throws InterruptedException {
        EtcdTestKit.await("a log line with " + text, java.time.Duration.ofSeconds(5),
            () -> !log.lines(text).isEmpty());
    }
}
