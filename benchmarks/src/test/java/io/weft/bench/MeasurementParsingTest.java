package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class MeasurementParsingTest {

    @Test
    void shouldSumUtimeAndStimeWhenCommHoldsSpacesAndParentheses() {
        String stat = "4242 (java (weft) d) S 1 4242 4242 0 -1 4194560 9000 0 12 0 1234 567 0 0 20 0 31 0 100 0";

        assertThat(ProcCpu.ticks(stat)).isEqualTo(1234 + 567);
    }

    @Test
    void shouldReadOwnCpuTimeWhenPidIsThisJvm() {
        assertThat(ProcCpu.ticks(List.of(ProcessHandle.current().pid()))).isNotNegative();
        assertThat(ProcCpu.clockTicksPerSecond()).isPositive();
    }

    @Test
    void shouldRoundTripRrResultLineWhenParsed() {
        Histogram histogram = new Histogram(1_000_000_000L, 3);
        for (int i = 1; i <= 100; i++) {
            histogram.recordValue(i * 1000L);
        }

        RequestResponse.Latency latency = RequestResponse.parse(RrTool.resultLine(histogram));

        assertThat(latency.count()).isEqualTo(100);
        assertThat(latency.p50Ns()).isBetween(49_900L, 50_100L);
        assertThat(latency.p99Ns()).isBetween(98_900L, 99_100L);
        assertThatThrownBy(() -> RequestResponse.parse("RESULT count=3")).hasMessageContaining("incomplete");
    }

    @Test
    void shouldWriteFlannelShapedConflistWhenAskedForAKernelVariant() {
        assertThat(Topologies.conflist("10.244.2.0/24", 1450))
            .contains("\"type\":\"bridge\"", "\"bridge\":\"cni0\"", "\"isGateway\":true", "\"ipMasq\":false",
                "\"mtu\":1450", "\"subnet\":\"10.244.2.0/24\"", "\"dst\":\"10.244.0.0/16\"", "\"type\":\"portmap\"");
        assertThat(Topologies.vxlanMac(2)).isEqualTo("0e:77:00:00:00:02");
    }
}
