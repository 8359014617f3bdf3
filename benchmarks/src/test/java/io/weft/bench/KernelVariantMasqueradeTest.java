package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.weft.testbed.Node;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernel dataplanes are measured with the nat rules flanneld's --ip-masq installs, as weft's nodes carry weftd's:
 * each node hooks the chain into POSTROUTING, and pod-to-pod traffic goes through it (the RETURN rule counts it),
 * so connection tracking runs on every variant's packets.
 */
class KernelVariantMasqueradeTest {

    @ParameterizedTest
    @ValueSource(strings = {"host-gw", "vxlan"})
    void shouldPassPodToPodTrafficThroughFlannelsNatRulesWhenAKernelVariantIsBuilt(String label) {
        Optional<String> cause = EndToEndBench.unavailabilityCause();
        assumeTrue(cause.isEmpty(), () -> "kernel dataplanes cannot be built here: " + cause.orElse(""));
        Supplier<Topology> build = Variant.parse(label) == Variant.HOST_GW ? () -> Topologies.hostGw(true)
            : () -> Topologies.vxlan(true);

        try (Topology topology = build.get()) {
            topology.pod1().exec("ping", "-c", "1", "-W", "2", topology.pod2().ip()).orThrow();

            for (Node node : topology.testbed().nodes()) {
                String postrouting = node.exec("iptables", "-t", "nat", "-S", "POSTROUTING").orThrow().stdout();
                assertThat(postrouting).as("%s POSTROUTING", node.name()).contains("-j WEFT-POSTRTG");
                assertThat(node.exec("iptables", "-t", "nat", "-S", "WEFT-POSTRTG").orThrow().stdout().lines()
                    .filter(line -> line.startsWith("-A WEFT-POSTRTG")))
                    .as("%s chain: flanneld's five rules", node.name()).hasSize(5);
            }
            String counters = topology.pod1().node().exec("iptables", "-t", "nat", "-L", "WEFT-POSTRTG", "-v", "-n",
                "-x").orThrow().stdout();
            // Columns: pkts bytes target prot opt in out source destination.
            String[] podToPod = counters.lines().map(line -> line.trim().split("\\s+"))
                .filter(f -> f.length >= 9 && f[2].equals("RETURN") && f[7].equals(Topologies.NETWORK)
                    && f[8].equals(Topologies.NETWORK))
                .findFirst().orElseThrow(() -> new AssertionError("no pod-to-pod RETURN rule in\n" + counters));
            assertThat(Long.parseLong(podToPod[0])).as("packets of the pod-to-pod RETURN rule on node 1: %s",
                String.join(" ", podToPod)).isPositive();
        }
    }
}
