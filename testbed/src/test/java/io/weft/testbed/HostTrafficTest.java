package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Host traffic into the overlay keeps the node's underlay address as its source when nothing masquerades it: without
 * --ip-masq (flanneld's rules masquerade it to flannel0's address), a host-network client bound to that address, or
 * one reaching a ClusterIP that kube-proxy DNATs to a remote pod without masquerading. flanneld delivers such packets;
 * weft dropped them as spoofed_source. The outer source already proves the address belongs to the sending node.
 */
class HostTrafficTest {
    private static final String SPOOFED = "weft_drops_total{direction=\"udp_to_tun\",reason=\"spoofed_source\"}";

    @Test
    void shouldDeliverHostTrafficSourcedFromTheSendingNodesUnderlayAddressWithoutIpMasq() {
        try (Testbed testbed = Testbeds.createOrSkip()) {
            OverlayCluster cluster = OverlayCluster.startStatic(testbed, 2, List.of("--ip-masq=false"));
            Node node1 = cluster.node(1);
            Pod pod2 = cluster.pod(2);
            Map<String, Number> before = cluster.weftd(2).metrics();

            ExecResult ping = node1.exec("ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "-I", node1.ip(), pod2.ip());

            Map<String, Number> after = cluster.weftd(2).metrics();
            assertThat(PingResult.parse(ping.stdout()).received()).as(ping.stdout() + ping.stderr()).isEqualTo(3);
            assertThat(after.getOrDefault(SPOOFED, 0).longValue() - before.getOrDefault(SPOOFED, 0).longValue())
                .isZero();
        }
    }
}
