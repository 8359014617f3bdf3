package io.weft.soak.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeStreamTest {
    private static final long PERIOD = 50_000;
    private static final long HORIZON = 2_000_000;

    private final ProbeStream stream = new ProbeStream(PERIOD);
    private final List<ProbeStream.Loss> losses = new ArrayList<>();

    private void receive(long seq) {
        stream.onProbe(seq, seq * PERIOD, seq * PERIOD + 300);
    }

    @Test
    void shouldReportAGapOnceOlderThanTheHorizonWithInterpolatedTimes() {
        receive(0);
        receive(1);
        receive(5);
        stream.expire(5 * PERIOD + 1000, HORIZON, losses::add);
        assertThat(losses).as("still within the horizon").isEmpty();

        stream.expire(4 * PERIOD + HORIZON + 1, HORIZON, losses::add);

        assertThat(losses).containsExactly(new ProbeStream.Loss(2, 4, 2 * PERIOD, 4 * PERIOD));
        assertThat(stream.takeCounts()).isEqualTo(new ProbeStream.Counts(3, 0, 0, 0, 300, 5));
    }

    @Test
    void shouldCountALateProbeWithinTheHorizonAsReorderedNotLost() {
        receive(0);
        receive(3);
        receive(1);
        stream.expire(Long.MAX_VALUE / 2, HORIZON, losses::add);

        assertThat(losses).containsExactly(new ProbeStream.Loss(2, 2, 2 * PERIOD, 2 * PERIOD));
        ProbeStream.Counts counts = stream.takeCounts();
        assertThat(counts.received()).isEqualTo(3);
        assertThat(counts.reordered()).isEqualTo(1);
    }

    @Test
    void shouldTellDuplicatesFromProbesArrivingAfterTheirLossWasReported() {
        receive(0);
        receive(2);
        stream.expire(Long.MAX_VALUE / 2, HORIZON, losses::add);
        receive(2);
        receive(1);

        ProbeStream.Counts counts = stream.takeCounts();
        assertThat(counts.duplicates()).isEqualTo(1);
        assertThat(counts.late()).isEqualTo(1);
        assertThat(losses).hasSize(1);
    }

    @Test
    void shouldCountProbesMissedBeforeTheFirstOneAsLostWhenTheStreamStartsLate() {
        receive(4);
        stream.expire(Long.MAX_VALUE / 2, HORIZON, losses::add);

        assertThat(losses).containsExactly(new ProbeStream.Loss(0, 3, 0, 3 * PERIOD));
    }

    @Test
    void shouldSplitAGapWhenAProbeInsideItArrives() {
        receive(0);
        receive(10);
        receive(5);
        stream.expire(Long.MAX_VALUE / 2, HORIZON, losses::add);

        assertThat(losses).extracting(ProbeStream.Loss::count).containsExactly(4L, 4L);
        assertThat(losses.get(1).fromMicros()).isEqualTo(6 * PERIOD);
    }
}
