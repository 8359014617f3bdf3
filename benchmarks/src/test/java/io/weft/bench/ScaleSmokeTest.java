package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.weft.testbed.ProcessSample;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CI smoke of {@code ./weft bench --scale}: one lease count and each kind of churn, briefly, on real nodes and a real
 * etcd. Checks that the other nodes' leases reached both weftds, that the churn changed them (both weftds made new
 * lease sets live, and know every lease again after it) and that every figure came out; never how fast anything is.
 */
class ScaleSmokeTest {
    private static final int LEASES = 150;
    private static final int RATE = 50;
    private static final int SECONDS = 4;

    @ParameterizedTest
    @ValueSource(strings = {"moves", "joins"})
    @SuppressWarnings("unchecked")
    void shouldLoadAndChurnLeasesWhileBothWeftdsFollowAndStillForward(String churn) {
        Optional<String> cause = EndToEndBench.unavailabilityCause();
        assumeTrue(cause.isEmpty(), () -> "the scale harness cannot run here: " + cause.orElse(""));
        Map<String, Object> result = new LinkedHashMap<>();

        Scale.measure(LEASES, RATE, SECONDS, churn, result);

        assertThat((Long) result.get("etcdLoadMs")).isPositive();
        assertThat((Long) result.get("startToForwardingMs")).isPositive();
        assertThat(result.get("changes")).isEqualTo(RATE * SECONDS);
        assertThat((List<Long>) result.get("leasesKnownAfterChurn")).containsExactly((long) LEASES, (long) LEASES);
        List<Long> before = (List<Long>) result.get("routeUpdatesBeforeChurn");
        List<Long> after = (List<Long>) result.get("routeUpdatesAfterChurn");
        for (int node = 0; node < 2; node++) {
            assertThat(after.get(node) - before.get(node)).as("lease sets node %d made live during the churn",
                node + 1).isPositive();
            Map<String, Double> propagation = ((List<Map<String, Double>>) result.get("propagationMs")).get(node);
            assertThat(propagation.get("p99")).isNotNull().isPositive();
            assertThat(((List<ProcessSample>) result.get("afterChurn")).get(node).rssKb()).isPositive();
        }
        assertThat((List<Double>) result.get("weftdPercentOfOneCore")).hasSize(2).allMatch(percent -> percent >= 0);
        assertThat((Integer) result.get("pingRepliesAfterChurn")).isPositive();
        result.put("leases", LEASES);
        result.put("churn", churn);
        assertThat(Scale.table(List.of(result))).contains("| 150 | " + churn + " |");
    }
}
