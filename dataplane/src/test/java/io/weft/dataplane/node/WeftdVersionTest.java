package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.dataplane.lane.DataplaneCounters;
import io.weft.registry.RegistryStats;
import java.util.List;
import org.junit.jupiter.api.Test;

/** flanneld's --version and klog's -v, and the version in /metrics. */
class WeftdVersionTest {
    @Test
    void shouldKnowTheMavenVersionWhenBuilt() {
        assertThat(WeftdVersion.VERSION).isNotEqualTo(WeftdVersion.UNKNOWN).matches("[0-9]+\\.[0-9]+\\.[0-9]+.*");
    }

    @Test
    void shouldPrintTheVersionWhenAskedInGoOrPicocliForm() {
        assertThat(WeftdConfig.wantsVersion(new String[] {"--version"})).isTrue();
        assertThat(WeftdConfig.wantsVersion(new String[] {"--iface", "eth0", "-version"})).isTrue();
        assertThat(WeftdConfig.wantsVersion(new String[] {"--iface", "eth0"})).isFalse();
    }

    @Test
    void shouldExportTheVersionAsBuildInfoWhenServingMetrics() {
        final ControlMetrics metrics = new ControlMetrics(List.of(new DataplaneCounters()), new RegistryStats());

        assertThat(metrics.toPrometheusText()).contains("# TYPE weft_build_info gauge\n")
            .contains("weft_build_info{version=\"" + WeftdVersion.VERSION + "\"} 1\n");
    }

    @Test
    void shouldAcceptKlogVerbosityInEachForm() {
        assertThat(WeftdConfig.parse(new String[0]).verbosity()).isZero();
        assertThat(WeftdConfig.parse(new String[] {"-v", "3"}).verbosity()).isEqualTo(3);
        assertThat(WeftdConfig.parse(new String[] {"--v=2"}).verbosity()).isEqualTo(2);
        assertThat(WeftdConfig.parse(new String[] {"-v=1"}).verbosity()).isEqualTo(1);
    }
}
