package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.dataplane.lane.DataplaneCounters;
import io.weft.registry.RegistryStats;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlMetricsTest {
    private final RegistryStats stats = new RegistryStats();
    private final ControlMetrics metrics = new ControlMetrics(List.of(new DataplaneCounters()), stats);

    @Test
    void shouldBeReadyWhenForwardingWithTheConfigAsWritten() {
        assertThat(metrics.unreadiness(true)).isNull();
        assertThat(metrics.unreadiness(false)).isEqualTo("not forwarding");
        assertThat(metrics.toPrometheusText()).contains("weft_config_changes_pending{key=\"Network\"} 0\n")
            .contains("weft_config_changes_pending{key=\"Backend.Port\"} 0\n")
            .contains("weft_registry_invalid_configs_total 0\n");
    }

    @Test
    void shouldSayWhichChangesWaitForARestartWhenTheConfigCannotBeAppliedLive() {
        stats.configChangesPending(List.of("SubnetLen", "Backend.Port"));
        stats.onInvalidConfig();

        assertThat(metrics.unreadiness(true)).contains("SubnetLen, Backend.Port").contains("restarted");
        assertThat(metrics.unreadiness(false)).isEqualTo("not forwarding");
        assertThat(metrics.toPrometheusText()).contains("weft_config_changes_pending{key=\"SubnetLen\"} 1\n")
            .contains("weft_config_changes_pending{key=\"Backend.Port\"} 1\n")
            .contains("weft_config_changes_pending{key=\"Backend.Type\"} 0\n")
            .contains("# TYPE weft_config_changes_pending gauge\n")
            .contains("weft_registry_invalid_configs_total 1\n");
    }
}
