package io.weft.registry.kube;

import static io.weft.registry.kube.KubeTestKit.PREFIX;
import static io.weft.registry.kube.KubeTestKit.flannelNode;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Node;
import io.weft.registry.NetworkConfig;
import io.weft.routing.Ipv4Prefix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node read as a lease: podCIDR forms, the public IP, backend-data; what is skipped and why. */
class NodeLeasesTest {
    private static final NodeAnnotations NAMES = NodeAnnotations.withPrefix(NodeAnnotations.DEFAULT_PREFIX);
    private final NetworkConfig network;

    NodeLeasesTest() throws Exception {
        network = NetworkConfig.parse(new ObjectMapper().readTree(KubeTestKit.NET_CONF));
    }

    @Test
    void shouldTakeTheIpv4PodCidrOfADualStackNode() {
        final Node node = flannelNode("n", "", "udp", "192.168.100.2");
        node.getSpec().setPodCIDRs(List.of("fd00:1::/64", "10.244.2.0/24"));

        assertThat(NodeLeases.decode(node, NAMES, network).lease()).isEqualTo(
            KubeTestKit.lease("10.244.2.0/24", "192.168.100.2"));
    }

    @Test
    void shouldMaskHostBitsOffThePodCidrAsGoDoes() {
        assertThat(NodeLeases.podCidr(flannelNode("n", "10.244.2.7/24", "udp", "192.168.100.2")))
            .isEqualTo(Ipv4Prefix.parse("10.244.2.0/24"));
    }

    @Test
    void shouldReadWeftsPartialChecksumsFromBackendDataAndIgnoreTheRest() {
        final Node weft = flannelNode("w", "10.244.2.0/24", "udp", "192.168.100.2");
        weft.getMetadata().getAnnotations().put(PREFIX + "backend-data", "{\"WeftPartialChecksums\":true}");
        final Node garbage = flannelNode("g", "10.244.3.0/24", "udp", "192.168.100.3");
        garbage.getMetadata().getAnnotations().put(PREFIX + "backend-data", "{not json");

        assertThat(NodeLeases.decode(weft, NAMES, network).lease().partialChecksums()).isTrue();
        assertThat(NodeLeases.decode(garbage, NAMES, network).lease().partialChecksums()).isFalse();
        assertThat(NodeLeases.decode(flannelNode("f", "10.244.4.0/24", "udp", "192.168.100.4"), NAMES, network)
            .lease().partialChecksums()).as("flanneld's \"null\"").isFalse();
    }

    @Test
    void shouldTellALeaseChangeFromAStatusOrOtherAnnotationChange() {
        final Node before = flannelNode("n", "10.244.2.0/24", "udp", "192.168.100.2");
        final Node status = flannelNode("n", "10.244.2.0/24", "udp", "192.168.100.2");
        status.getStatus().getConditions().get(0).setStatus("False");
        status.getMetadata().getAnnotations().put("node.alpha.kubernetes.io/ttl", "15");
        final Node address = flannelNode("n", "10.244.2.0/24", "udp", "192.168.100.22");
        final Node data = flannelNode("n", "10.244.2.0/24", "udp", "192.168.100.2");
        data.getMetadata().getAnnotations().put(PREFIX + "backend-data", "{\"WeftPartialChecksums\":true}");
        final Node cidr = flannelNode("n", "10.244.3.0/24", "udp", "192.168.100.2");
        final Node dualStack = flannelNode("n", "10.244.2.0/24", "udp", "192.168.100.2");
        dualStack.getSpec().setPodCIDRs(List.of("10.244.2.0/24", "fd00:1::/64"));
        final Node unmanaged = flannelNode("n", "10.244.2.0/24", "udp", "192.168.100.2");
        unmanaged.getMetadata().getAnnotations().remove(PREFIX + "kube-subnet-manager");

        assertThat(NodeLeases.sameLeaseInputs(before, status, NAMES)).isTrue();
        for (final Node changed : List.of(address, data, cidr, dualStack, unmanaged)) {
            assertThat(NodeLeases.sameLeaseInputs(before, changed, NAMES)).isFalse();
        }
    }

    @Test
    void shouldSkipANodeNoKubeSubnetManagerAnnotatedAsFlanneldDoes() {
        final Node node = flannelNode("n", "10.244.2.0/24", "udp", "192.168.100.2");
        node.getMetadata().getAnnotations().remove(PREFIX + "kube-subnet-manager");

        assertThat(NodeLeases.decode(node, NAMES, network).skipReason()).contains("kube-subnet-manager=true");
    }

    @Test
    void shouldSkipANodeWhosePublicIpNoNodeCanBeReachedAt() {
        assertThat(NodeLeases.decode(flannelNode("n", "10.244.2.0/24", "udp", "127.0.0.1"), NAMES, network)
            .skipReason()).contains("loopback");
        assertThat(NodeLeases.decode(flannelNode("n", "10.244.2.0/24", "udp", "not-an-ip"), NAMES, network)
            .skipReason()).contains("not an IPv4 address");
        assertThat(NodeLeases.decode(flannelNode("n", "fd00::/64", "udp", "192.168.100.2"), NAMES, network)
            .skipReason()).isEqualTo("it has no IPv4 podCIDR");
    }
}
