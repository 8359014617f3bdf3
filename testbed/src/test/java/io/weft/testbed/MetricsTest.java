package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void shouldKeyByNameAndLabelsWhenParsingPrometheusText() {
        String text = String.join("\n",
            "# HELP weft_packets_total Packets moved.",
            "# TYPE weft_packets_total counter",
            "weft_packets_total{direction=\"tun_to_udp\"} 1027",
            "weft_packets_total{direction=\"udp_to_tun\"} 0",
            "weft_drops_total{reason=\"no route\",lane=\"0\"} 3 1700000000000",
            "weft_up 1",
            "",
            "weft_uptime_seconds 12.5",
            "weft_ratio 1e-3",
            "weft_nan NaN",
            "weft_inf{le=\"+Inf\"} +Inf",
            "weft_neg -4",
            "");

        Map<String, Number> metrics = Metrics.parse(text);

        assertThat(metrics).containsEntry("weft_packets_total{direction=\"tun_to_udp\"}", 1027L)
            .containsEntry("weft_packets_total{direction=\"udp_to_tun\"}", 0L)
            .containsEntry("weft_drops_total{reason=\"no route\",lane=\"0\"}", 3L)
            .containsEntry("weft_up", 1L)
            .containsEntry("weft_uptime_seconds", 12.5)
            .containsEntry("weft_ratio", 0.001)
            .containsEntry("weft_inf{le=\"+Inf\"}", Double.POSITIVE_INFINITY)
            .containsEntry("weft_neg", -4L)
            .hasSize(9);
        assertThat(metrics.get("weft_nan").doubleValue()).isNaN();
    }

    @Test
    void shouldKeepEscapedQuotesAndBracesWhenInsideLabelValues() {
        Map<String, Number> metrics = Metrics.parse("m{path=\"a \\\"b} c\"} 7\r\n");

        assertThat(metrics).containsOnlyKeys("m{path=\"a \\\"b} c\"}").containsEntry("m{path=\"a \\\"b} c\"}", 7L);
    }

    @Test
    void shouldNameTheLineWhenInputIsMalformed() {
        for (String bad : new String[] {"weft_up", "weft_up abc", "{a=\"b\"} 1", "m{a=\"b\" 1", "m 1 2 3",
            "9m 1", "m{a=\"b\"}1", "m 1.2.3"}) {
            assertThatThrownBy(() -> Metrics.parse("ok 1\n" + bad)).as(bad)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2");
        }
    }

    @Test
    void shouldRoundTripWhenMetricsAreRandom() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            Map<String, Number> expected = new LinkedHashMap<>();
            StringBuilder text = new StringBuilder("# TYPE x counter\n");
            int count = random.nextInt(20);
            for (int i = 0; i < count; i++) {
                String key = "weft_m" + i + (random.nextBoolean() ? "" : "{reason=\"r " + random.nextInt(9) + "\"}");
                Number value = random.nextBoolean() ? (Number) random.nextLong() : (Number) random.nextDouble();
                expected.put(key, value);
                text.append(key).append(random.nextBoolean() ? " " : "\t").append(value).append('\n');
            }
            assertThat(Metrics.parse(text.toString())).containsExactlyEntriesOf(expected);
        }
    }
}
