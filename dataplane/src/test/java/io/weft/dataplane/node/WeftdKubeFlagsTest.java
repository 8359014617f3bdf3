package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** flanneld's kube subnet manager flags, in flanneld's forms and with its defaults; the node name from NODE_NAME. */
class WeftdKubeFlagsTest {
    private static final Map<String, String> ENV = Map.of("NODE_NAME", "node-a");

    @Test
    void shouldUseFlanneldsDefaultsAndTheInClusterConfigWhenOnlyKubeSubnetMgrIsGiven() {
        final WeftdConfig config = WeftdConfig.parse(new String[] {"--kube-subnet-mgr"}, ENV);

        assertThat(config.kube()).isEqualTo(new WeftdConfig.KubeMode(null, null, "flannel.alpha.coreos.com",
            Path.of("/etc/kube-flannel/net-conf.json"), "node-a", true));
    }

    @Test
    void shouldTakeEveryKubeFlagInFlanneldsForms() {
        final WeftdConfig config = WeftdConfig.parse(new String[] {"-kube-subnet-mgr", "-kube-api-url",
            "https://10.0.0.1:6443", "--kubeconfig-file=/etc/kubeconfig", "--kube-annotation-prefix", "example.com",
            "-net-config-path=/etc/net.json", "--set-node-network-unavailable=false"}, ENV);

        assertThat(config.kube()).isEqualTo(new WeftdConfig.KubeMode("https://10.0.0.1:6443",
            Path.of("/etc/kubeconfig"), "example.com", Path.of("/etc/net.json"), "node-a", false));
    }

    @Test
    void shouldStayInEtcdModeWhenKubeSubnetMgrIsFalse() {
        assertThat(WeftdConfig.parse(new String[] {"--kube-subnet-mgr=false"}, ENV).kube()).isNull();
        assertThat(WeftdConfig.parse(new String[0], ENV).kube()).isNull();
    }

    @Test
    void shouldRefuseKubeModeWithoutNodeName() {
        assertThatThrownBy(() -> WeftdConfig.parse(new String[] {"--kube-subnet-mgr"}, Map.of()))
            .isInstanceOf(WeftdConfig.UsageException.class).hasMessageStartingWith("--kube-subnet-mgr needs NODE_NAME");
    }

    @Test
    void shouldRefuseABadAnnotationPrefixAndTwoRegistries() {
        assertThatThrownBy(() -> WeftdConfig.parse(new String[] {"--kube-subnet-mgr", "--kube-annotation-prefix",
            "a/b/c"}, ENV)).isInstanceOf(WeftdConfig.UsageException.class)
            .hasMessage("--kube-annotation-prefix: annotation prefix 'a/b/c' has more than one '/'");
        assertThatThrownBy(() -> WeftdConfig.parse(new String[] {"--kube-subnet-mgr", "--static-leases", "/x"}, ENV))
            .isInstanceOf(WeftdConfig.UsageException.class).hasMessageContaining("two registries");
    }
}
