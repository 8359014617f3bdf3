package io.weft.soak.report;

import static io.weft.soak.report.Fixtures.clusterFault;
import static io.weft.soak.report.Fixtures.data;
import static io.weft.soak.report.Fixtures.micros;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.ResourceSample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

class ResourceTrendsTest {
    private final FaultRecord etcd = clusterFault(1, "etcd-down", 120, 150);

    /** One weftd sampled every 5 s until the traffic ends at 200 s, with the fds {@code fdsAt} gives per second. */
    private static List<ResourceSample> samples(IntUnaryOperator fdsAt) {
        List<ResourceSample> samples = new ArrayList<>();
        for (int second = 0; second < 200; second += 5) {
            samples.add(new ResourceSample(micros(second), "n1", 10, 100_000, 10 << 20, 34, fdsAt.applyAsInt(second),
                0));
        }
        return samples;
    }

    @Test
    void shouldNotTakeAMomentsChildProcessPipesForALeak() {
        ResourceTrends trends = new ResourceTrends(data(List.of(etcd), List.of(), List.of(),
            samples(second -> second == 195 ? 36 : 28)));

        assertThat(trends.levelChanges()).isEmpty();
    }

    @Test
    void shouldReportFdsThatStayAboveTheirLevelAfterAFault() {
        ResourceTrends trends = new ResourceTrends(data(List.of(etcd), List.of(), List.of(),
            samples(second -> second >= 130 ? 36 : 28)));

        assertThat(trends.levelChanges()).singleElement().satisfies(change -> {
            assertThat(change.fdsBefore()).isEqualTo(28);
            assertThat(change.fdsAfter()).isEqualTo(36);
        });
    }
}
