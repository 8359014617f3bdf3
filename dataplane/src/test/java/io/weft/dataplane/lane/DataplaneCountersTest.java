package io.weft.dataplane.lane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DataplaneCountersTest {
    private final DataplaneCounters counters = new DataplaneCounters();

    @Test
    void shouldStartAtZeroWhenNew() {
        for (final DataplaneCounter counter : DataplaneCounter.values()) {
            assertThat(counters.get(counter)).as(counter.name()).isZero();
        }
    }

    @Test
    void shouldCountIncrementsAndAddsWhenUpdated() {
        counters.increment(DataplaneCounter.UDP_RX_PACKETS);
        counters.increment(DataplaneCounter.UDP_RX_PACKETS);
        counters.add(DataplaneCounter.UDP_RX_BYTES, 1500);
        counters.add(DataplaneCounter.UDP_RX_BYTES, 40);
        counters.add(DataplaneCounter.TUN_TX_BYTES, 5_000_000_000L);

        assertThat(counters.get(DataplaneCounter.UDP_RX_PACKETS)).isEqualTo(2);
        assertThat(counters.get(DataplaneCounter.UDP_RX_BYTES)).isEqualTo(1540);
        assertThat(counters.get(DataplaneCounter.TUN_TX_BYTES)).isEqualTo(5_000_000_000L);
    }

    @Test
    void shouldKeepEveryCounterApartWhenEachIsUpdated() {
        final DataplaneCounter[] all = DataplaneCounter.values();
        for (int i = 0; i < all.length; i++) {
            counters.add(all[i], i + 1);
        }

        for (int i = 0; i < all.length; i++) {
            assertThat(counters.get(all[i])).as(all[i].name()).isEqualTo(i + 1);
        }
    }

    @Test
    void shouldGiveEveryCounterItsOwnSeriesWhenDefined() {
        final Set<String> series = Arrays.stream(DataplaneCounter.values())
            .map(DataplaneCounter::series)
            .collect(Collectors.toSet());

        assertThat(series).hasSize(DataplaneCounter.values().length);
        for (final DataplaneCounter counter : DataplaneCounter.values()) {
            assertThat(counter.series())
                .matches("weft_[a-z_]+_total(\\{[a-z_]+=\"[a-z0-9_]+\"(,[a-z_]+=\"[a-z0-9_]+\")*\\})?");
            assertThat(counter.isDrop()).isEqualTo(counter.series().startsWith("weft_drops_total{"));
        }
    }

    @Test
    void shouldGroupEachFamilyUnderOneTypeLineWhenRenderedAsPrometheusText() {
        final DataplaneCounter[] all = DataplaneCounter.values();
        for (int i = 0; i < all.length; i++) {
            counters.add(all[i], 1000L * i + 7);
        }

        final String text = DataplaneCounters.toPrometheusText(List.of(counters, new DataplaneCounters()));

        assertThat(text).endsWith("\n");
        final List<String> lines = text.lines().collect(Collectors.toList());
        final Map<String, Integer> typeLines = new HashMap<>();
        final Map<String, Integer> seriesLines = new HashMap<>();
        final List<String> familiesInOrder = new ArrayList<>();
        String currentFamily = null;
        for (final String line : lines) {
            if (line.startsWith("# TYPE ")) {
                final String[] parts = line.split(" ");
                assertThat(parts).hasSize(4);
                assertThat(parts[3]).isEqualTo("counter");
                currentFamily = parts[2];
                typeLines.merge(currentFamily, 1, Integer::sum);
                familiesInOrder.add(currentFamily);
                continue;
            }
            assertThat(line).doesNotStartWith("#");
            final int space = line.lastIndexOf(' ');
            final String series = line.substring(0, space);
            final int brace = series.indexOf('{');
            assertThat(brace < 0 ? series : series.substring(0, brace))
                .as("series %s sits under the TYPE line of its family", series)
                .isEqualTo(currentFamily);
            seriesLines.merge(series, 1, Integer::sum);
            final DataplaneCounter counter = Arrays.stream(all)
                .filter(candidate -> candidate.series().equals(series)).findFirst().orElseThrow();
            assertThat(line.substring(space + 1)).isEqualTo(Long.toString(1000L * counter.ordinal() + 7));
        }

        assertThat(typeLines.values()).allMatch(count -> count == 1);
        assertThat(familiesInOrder).containsExactlyInAnyOrder(
            "weft_packets_total", "weft_syscalls_total", "weft_bytes_total", "weft_icmp_unreachable_sent_total",
            "weft_partial_checksums_total", "weft_gso_runs_continued_total", "weft_authenticated_datagrams_total",
            "weft_offload_runtime_fallbacks_total", "weft_drops_total");
        assertThat(seriesLines).hasSize(all.length);
        assertThat(seriesLines.values()).allMatch(count -> count == 1);
        for (final DataplaneCounter counter : all) {
            assertThat(seriesLines).as(counter.name()).containsKey(counter.series());
        }
    }

    @Test
    void shouldSumEveryLaneWhenAggregating() {
        final DataplaneCounters other = new DataplaneCounters();
        counters.add(DataplaneCounter.UDP_TX_BYTES, 1500);
        other.add(DataplaneCounter.UDP_TX_BYTES, 500);
        other.increment(DataplaneCounter.DROP_NO_ROUTE);

        assertThat(DataplaneCounters.sum(List.of(counters, other), DataplaneCounter.UDP_TX_BYTES)).isEqualTo(2000);
        assertThat(DataplaneCounters.sum(List.of(counters, other), DataplaneCounter.DROP_NO_ROUTE)).isEqualTo(1);
        assertThat(DataplaneCounters.toPrometheusText(List.of(counters, other)))
            .contains("weft_bytes_total{direction=\"tun_to_udp\",stage=\"sent\"} 2000\n");
    }
}
