package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.weft.testbed.Node;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The harness's second mode ({@code --nat-rules off}): no node of any variant has a nat rule, so the kernel tracks no
 * connection, and pods still reach each other by their own addresses.
 */
class NoNatRulesModeTest {

    @ParameterizedTest
    @ValueSource(strings = {"host-gw", "weft"})
    void shouldBuildNodesWithoutANatRuleWhenNatRulesAreOff(String label) {
        Optional<String> cause = EndToEndBench.unavailabilityCause();
        assumeTrue(cause.isEmpty(), () -> "the dataplanes cannot be built here: " + cause.orElse(""));

        try (Topology topology = Variant.parse(label).build(Pinning.off(), false)) {
            topology.pod1().exec("ping", "-c", "1", "-W", "2", topology.pod2().ip()).orThrow();

            for (Node node : topology.testbed().nodes()) {
                assertThat(node.exec("iptables", "-t", "nat", "-S").orThrow().stdout().lines()
                    .filter(line -> line.startsWith("-A") || line.startsWith("-N")))
                    .as("%s's nat rules and chains", node.name()).isEmpty();
            }
        }
    }
}
