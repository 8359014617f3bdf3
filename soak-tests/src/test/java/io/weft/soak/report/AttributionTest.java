package io.weft.soak.report;

import static io.weft.soak.report.Fixtures.clusterFault;
import static io.weft.soak.report.Fixtures.data;
import static io.weft.soak.report.Fixtures.loss;
import static io.weft.soak.report.Fixtures.nodeFault;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.soak.observe.FaultRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttributionTest {
    private final FaultRecord kill = nodeFault(1, "weftd-kill", "n2", 100, 103);
    private final FaultRecord etcd = clusterFault(2, "etcd-down", 120, 150);

    @Test
    void shouldGiveALossOnTheFaultedNodesPairToTheFaultWithItsRecovery() {
        Attribution attribution = new Attribution(data(List.of(kill, etcd), List.of(
            loss("n1/a", "n2/b", 100.5, 102.95, 50)), List.of(), List.of()));

        assertThat(attribution.unattributed()).isEmpty();
        Attribution.FaultCost cost = attribution.faultCosts().get(0);
        assertThat(cost.lost()).isEqualTo(50);
        assertThat(cost.maxRecoveryMillis()).as("to the last lost probe, plus one period").isEqualTo(3000);
        assertThat(attribution.byKind()).filteredOn(k -> k.pairsAffected() > 0)
            .extracting(Attribution.KindRecovery::kind).containsExactly("weftd-kill");
    }

    @Test
    void shouldCallALossOfAnUninvolvedPairCollateralAndOneOutsideEveryWindowQuiet() {
        Attribution attribution = new Attribution(data(List.of(kill), List.of(
            loss("n1/a", "n3/b", 101, 101, 1), loss("n1/a", "n3/b", 180, 180, 1)), List.of(), List.of()));

        assertThat(attribution.unattributed()).extracting(Attribution.Unattributed::duringFault)
            .containsExactly("weftd-kill on n2", null);
    }

    @Test
    void shouldGiveAnyLossInAClusterFaultsWindowToItSoThatItIsAFinding() {
        Attribution attribution = new Attribution(data(List.of(kill, etcd), List.of(
            loss("n1/a", "n3/b", 130, 131, 20)), List.of(), List.of()));

        assertThat(attribution.unattributed()).isEmpty();
        assertThat(attribution.faultCosts().get(1).lost()).isEqualTo(20);
    }

    @Test
    void shouldBlameALongOutageOnTheFaultItBeganInNotALaterOneItOverlaps() {
        FaultRecord later = nodeFault(3, "weftd-kill", "n2", 160, 162);
        Attribution attribution = new Attribution(data(List.of(kill, etcd, later), List.of(
            loss("n1/a", "n2/b", 101, 170, 1380)), List.of(), List.of()));

        assertThat(attribution.faultCosts().get(0).lost()).isEqualTo(1380);
        assertThat(attribution.faultCosts().get(2).lost()).isZero();
        assertThat(attribution.blame(Fixtures.micros(161)).map(FaultRecord::index)).contains(3);
    }
}
