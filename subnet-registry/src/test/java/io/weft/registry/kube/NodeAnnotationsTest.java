package io.weft.registry.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NodeAnnotationsTest {
    @Test
    void shouldNameFlannelsAnnotationsUnderTheDefaultPrefix() {
        final NodeAnnotations names = NodeAnnotations.withPrefix("flannel.alpha.coreos.com");

        assertThat(names.backendType()).isEqualTo("flannel.alpha.coreos.com/backend-type");
        assertThat(names.backendData()).isEqualTo("flannel.alpha.coreos.com/backend-data");
        assertThat(names.publicIp()).isEqualTo("flannel.alpha.coreos.com/public-ip");
        assertThat(names.publicIpOverwrite()).isEqualTo("flannel.alpha.coreos.com/public-ip-overwrite");
        assertThat(names.kubeSubnetManager()).isEqualTo("flannel.alpha.coreos.com/kube-subnet-manager");
    }

    @Test
    void shouldNormalisePrefixesAsFlanneldWhenTheyHaveANamePart() {
        assertThat(NodeAnnotations.withPrefix("example.com/").publicIp()).isEqualTo("example.com/public-ip");
        assertThat(NodeAnnotations.withPrefix("example.com/net").publicIp()).isEqualTo("example.com/net-public-ip");
        assertThat(NodeAnnotations.withPrefix("example.com/net-").publicIp()).isEqualTo("example.com/net-public-ip");
    }

    @Test
    void shouldRefusePrefixesKubernetesWouldRefuse() {
        assertThatThrownBy(() -> NodeAnnotations.withPrefix("a/b/c")).hasMessageContaining("more than one '/'");
        assertThatThrownBy(() -> NodeAnnotations.withPrefix("nodots")).hasMessageContaining("DNS name");
        assertThatThrownBy(() -> NodeAnnotations.withPrefix("Example.com")).hasMessageContaining("DNS name");
    }
}
