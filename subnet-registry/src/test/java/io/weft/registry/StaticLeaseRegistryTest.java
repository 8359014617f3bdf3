package io.weft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;

class StaticLeaseRegistryTest {
    @TempDir
    Path directory;

    @Test
    void shouldServeTheFilesConfigAndOurLeaseWhenOneCarriesOurPublicIp() throws Exception {
        try (StaticLeaseRegistry registry = StaticLeaseRegistry.open(file())) {
            assertThat(registry.awaitNetworkConfig().network()).isEqualTo(Ipv4Prefix.parse("10.244.0.0/16"));
            assertThat(registry.acquire(Ipv4Addresses.parse("192.168.100.2"), Ipv4Prefix.parse("10.244.9.0/24")))
                .isEqualTo(new Lease(Ipv4Prefix.parse("10.244.2.0/24"), Ipv4Addresses.parse("192.168.100.2")));
        }
    }

    @Test
    void shouldNameTheFileWhenNoLeaseCarriesOurPublicIp() throws Exception {
        final Path file = file();
        try (StaticLeaseRegistry registry = StaticLeaseRegistry.open(file)) {
            assertThatThrownBy(() -> registry.acquire(Ipv4Addresses.parse("192.168.100.9"), null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("192.168.100.9");
        }
    }

    @Test
    void shouldDeliverTheLeasesOnceFromARegistryThreadAndCountSkippedEntries() throws Exception {
        try (StaticLeaseRegistry registry = StaticLeaseRegistry.open(file())) {
            final CompletableFuture<List<Lease>> delivered = new CompletableFuture<>();
            final CompletableFuture<String> thread = new CompletableFuture<>();

            registry.watch(new LeaseListener() {
                @Override
                public void onLeases(final List<Lease> leases, final long observedNanos) {
                    thread.complete(Thread.currentThread().getName());
                    delivered.complete(leases);
                }

                @Override
                public void onOwnLeaseReacquired(final Lease lease) {
                }
            });

            assertThat(delivered.get(5, TimeUnit.SECONDS)).extracting(lease -> lease.subnet().toString())
                .containsExactly("10.244.1.0/24", "10.244.2.0/24");
            assertThat(thread.get()).isEqualTo("weft-lease-watcher");
            assertThat(registry.stats().leasesKnown()).isEqualTo(2);
            assertThat(registry.stats().skippedEntries()).isEqualTo(1);
        }
    }

    private Path file() throws IOException {
        return Files.writeString(directory.resolve("leases.json"), "{\"config\":{\"Network\":\"10.244.0.0/16\"}," +
            "\"subnets\":{\"10.244.2.0-24\":{\"PublicIP\":\"192.168.100.2\"}," +
            "\"10.244.1.0-24\":{\"PublicIP\":\"192.168.100.1\",\"PublicIPv6\":null}," +
            "\"10.99.1.0-24\":{\"PublicIP\":\"192.168.100.3\"}}}");
    }
}
