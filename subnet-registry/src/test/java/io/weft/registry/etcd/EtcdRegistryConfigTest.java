package io.weft.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class EtcdRegistryConfigTest {
    private static final List<String> LOCAL = List.of("http://127.0.0.1:2379");

    @Test
    void shouldUseFlannelsDefaultsWhenOnlyEndpointsAreGiven() {
        final EtcdRegistryConfig config = EtcdRegistryConfig.defaults(LOCAL);

        assertThat(config.prefix()).isEqualTo("/coreos.com/network");
        assertThat(config.configKey()).isEqualTo("/coreos.com/network/config");
        assertThat(config.subnetsPrefix()).isEqualTo("/coreos.com/network/subnets/");
        assertThat(config.leaseTtl()).isEqualTo(Duration.ofHours(24));
        assertThat(config.renewMargin()).isEqualTo(Duration.ofMinutes(60));
        assertThat(config.usesTls()).isFalse();
    }

    @Test
    void shouldDropTrailingSlashesWhenThePrefixHasThem() {
        assertThat(EtcdRegistryConfig.defaults(LOCAL).withPrefix("/my/net//").subnetsPrefix())
            .isEqualTo("/my/net/subnets/");
    }

    @Test
    void shouldUseTlsWhenFilesOrHttpsEndpointsAreGiven() {
        assertThat(EtcdRegistryConfig.defaults(List.of("https://etcd:2379")).usesTls()).isTrue();
        assertThat(EtcdRegistryConfig.defaults(LOCAL).withTls(Path.of("ca.pem"), null, null).usesTls()).isTrue();
    }

    @Test
    void shouldRefuseWithTheFlagNameWhenAValueCannotWork() {
        final EtcdRegistryConfig config = EtcdRegistryConfig.defaults(LOCAL);

        assertThatThrownBy(() -> EtcdRegistryConfig.defaults(List.of())).hasMessageContaining("--etcd-endpoints");
        assertThatThrownBy(() -> EtcdRegistryConfig.defaults(List.of("127.0.0.1:2379")))
            .hasMessageContaining("--etcd-endpoints");
        assertThatThrownBy(() -> config.withPrefix("coreos.com")).hasMessageContaining("--etcd-prefix");
        assertThatThrownBy(() -> config.withTls(null, Path.of("cert.pem"), null))
            .hasMessageContaining("--etcd-keyfile");
        assertThatThrownBy(() -> config.withCredentials(null, "secret")).hasMessageContaining("--etcd-username");
        assertThatThrownBy(() -> config.withLease(Duration.ofHours(1), Duration.ofHours(1)))
            .hasMessageContaining("--subnet-lease-renew-margin");
    }

    @Test
    void shouldNeverPrintThePasswordWhenLogged() {
        final EtcdRegistryConfig config = EtcdRegistryConfig.defaults(LOCAL).withCredentials("flannel", "s3cret");

        assertThat(config.toString()).contains("flannel").doesNotContain("s3cret");
    }
}
