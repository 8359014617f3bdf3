package io.weft.soak.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.soak.cluster.ClusterNode;
import io.weft.soak.cluster.ClusterPod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SubnetAuditTest {
    private final ClusterNode n1 = new ClusterNode("n1", "192.168.213.1");
    private final ClusterNode n2 = new ClusterNode("n2", "192.168.213.2");
    private final SubnetAudit audit = new SubnetAudit();

    private static String lease(String ip) {
        return "{\"PublicIP\":\"" + ip + "\",\"PublicIPv6\":null}";
    }

    @Test
    void shouldFindNothingInAConsistentCluster() {
        audit.check(1, Map.of(n1, Optional.of("10.244.1.0/24"), n2, Optional.of("10.244.2.0/24")),
            Map.of("10.244.1.0/24", lease(n1.underlayIp()), "10.244.2.0/24", lease(n2.underlayIp())),
            Map.of(n1, List.of(new ClusterPod(n1, "a", "10.244.1.2"))));

        assertThat(audit.findings()).isEmpty();
        assertThat(audit.checks()).isEqualTo(1);
    }

    @Test
    void shouldFindTwoNodesOnOneSubnetAndPodsLeftOutsideTheirNodesSubnet() {
        Map<ClusterNode, Optional<String>> leased = new LinkedHashMap<>();
        leased.put(n1, Optional.of("10.244.1.0/24"));
        leased.put(n2, Optional.of("10.244.1.0/24"));
        for (long t = 1; t <= 3; t++) {
            audit.check(t, leased, Map.of("10.244.1.0/24", lease(n1.underlayIp())),
                Map.of(n2, List.of(new ClusterPod(n2, "a", "10.244.2.2"))));
        }

        assertThat(audit.findings()).extracting(AuditFinding::kind)
            .containsExactlyInAnyOrder("shared-subnet", "lease-of-another-node", "pod-outside-subnet");
        assertThat(audit.findings()).allSatisfy(f -> {
            assertThat(f.times()).isEqualTo(3);
            assertThat(f.firstMicros()).isEqualTo(1);
            assertThat(f.lastMicros()).isEqualTo(3);
        });
    }

    @Test
    void shouldTellAnAddressInsideASubnet() {
        assertThat(SubnetAudit.inside("10.244.7.255", "10.244.7.0/24")).isTrue();
        assertThat(SubnetAudit.inside("10.244.8.0", "10.244.7.0/24")).isFalse();
        assertThat(SubnetAudit.publicIp("not json")).isEmpty();
    }
}
