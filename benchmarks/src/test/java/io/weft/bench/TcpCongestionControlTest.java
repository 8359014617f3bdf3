package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The harness sets the pods' TCP congestion control itself: the machine's default (bbr here, cubic elsewhere) moved
 * every variant's TCP throughput by about a factor of two, so results would otherwise depend on it.
 */
class TcpCongestionControlTest {
    private static final Path MACHINE_DEFAULT = Path.of("/proc/sys/net/ipv4/tcp_congestion_control");

    @Test
    void shouldSetTheAlgorithmInBothPodsOnlyWhenAsked() throws IOException {
        Optional<String> cause = EndToEndBench.unavailabilityCause();
        assumeTrue(cause.isEmpty(), () -> "kernel dataplanes cannot be built here: " + cause.orElse(""));
        String machineDefault = Files.readString(MACHINE_DEFAULT).trim();
        // reno is built into every kernel and is neither cubic (Linux's default) nor bbr.
        String wanted = "reno".equals(machineDefault) ? "cubic" : "reno";

        try (Topology topology = Topologies.hostGw()) {
            assertThat(algorithms(topology)).as("before").containsOnly(machineDefault);

            topology.useTcpCongestionControl(wanted);

            assertThat(algorithms(topology)).as("after").containsOnly(wanted);
            assertThat(Files.readString(MACHINE_DEFAULT).trim()).as("the machine's default").isEqualTo(machineDefault);
            assertThatThrownBy(() -> topology.useTcpCongestionControl("no_such_algorithm"))
                .hasMessageContaining("'no_such_algorithm'").hasMessageContaining("available: ");
        }
    }

    private static List<String> algorithms(Topology topology) {
        return List.of(topology.pod1(), topology.pod2()).stream()
            .map(pod -> pod.exec("sysctl", "-n", "net.ipv4.tcp_congestion_control").orThrow().stdout().trim())
            .toList();
    }
}
