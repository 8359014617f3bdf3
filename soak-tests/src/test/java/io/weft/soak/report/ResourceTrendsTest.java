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

    /** One weftd sampled every 5 s for {@code minutes}, its RSS in MiB as {@code rssAt} gives per second. */
    private static List<ResourceSample> rssSamples(int minutes, IntUnaryOperator rssMibAt) {
        List<ResourceSample> samples = new ArrayList<>();
        for (int second = 0; second < minutes * 60; second += 5) {
            samples.add(new ResourceSample(micros(second), "n1", 10, rssMibAt.applyAsInt(second) * 1024L, 10 << 20,
                34, 28, 0));
        }
        return samples;
    }

    /** As every weftd in the hour soaks: 16 MiB more over its first 9 minutes, then flat. */
    @Test
    void shouldJudgeRssAfterTheNativeMemorysWarmUpNotTheTrafficsOneMinute() {
        ResourceTrends trends = new ResourceTrends(data(List.of(), List.of(), List.of(),
            rssSamples(21, second -> second < 540 ? 94 + 16 * second / 540 : 110)));

        assertThat(trends.trends()).singleElement().satisfies(trend -> {
            assertThat(trend.judgedSpanSeconds()).isGreaterThanOrEqualTo(600);
            assertThat(trend.rssSlopeMbPerHour()).isLessThan(1).isGreaterThan(-1);
        });
    }

    @Test
    void shouldSeeALeakThatGoesOnAfterTheWarmUp() {
        ResourceTrends trends = new ResourceTrends(data(List.of(), List.of(), List.of(),
            rssSamples(30, second -> 94 + 40 * second / 3600)));

        assertThat(trends.trends()).singleElement().satisfies(trend -> assertThat(trend.rssSlopeMbPerHour())
            .isGreaterThan(ResourceTrends.RSS_SLOPE_BOUND_MB_PER_HOUR));
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
