package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The harness sets the pods' TCP congestion control itself: the machine's default (bbr on some machines, cubic on
 * others) moved every variant's TCP throughput by about a factor of two, so results would otherwise depend on it.
 * It must do so whatever the machine allows: on a machine whose {@code tcp_allowed_congestion_control} leaves the
 * wanted algorithm out, a namespace's default cannot name it (the bench was red there), so this test narrows the
 * allowed list to the machine's default for its duration and puts it back afterwards.
 */
class TcpCongestionControlTest {
    private static final Path MACHINE_DEFAULT = Path.of("/proc/sys/net/ipv4/tcp_congestion_control");
    private static final Path ALLOWED = Path.of("/proc/sys/net/ipv4/tcp_allowed_congestion_control");
    private static final Path AVAILABLE = Path.of("/proc/sys/net/ipv4/tcp_available_congestion_control");

    @Test
    void shouldMakeBothPodsUseAnAvailableAlgorithmThatTheMachineDoesNotAllow() throws IOException {
        Optional<String> cause = EndToEndBench.unavailabilityCause();
        assumeTrue(cause.isEmpty(), () -> "kernel dataplanes cannot be built here: " + cause.orElse(""));
        String machineDefault = read(MACHINE_DEFAULT);
        // reno is built into every kernel; cubic is Linux's default and built in almost everywhere.
        String wanted = "cubic".equals(machineDefault) ? "reno" : "cubic";
        assumeTrue(Arrays.asList(read(AVAILABLE).split(" ")).contains(wanted),
            () -> wanted + " is not available in this kernel: " + readQuietly(AVAILABLE));
        String allowedBefore = read(ALLOWED);

        try (Topology topology = Topologies.hostGw(true)) {
            Files.writeString(ALLOWED, machineDefault);
            try {
                topology.useTcpCongestionControl(wanted);
                PinnedIperf3.Outcome outcome = PinnedIperf3.tcp(topology.pod2(), topology.pod1(), 1, 1,
                    Pinning.off());

                assertThat(List.of(outcome.senderCongestion(), outcome.receiverCongestion())).containsOnly(wanted);
                assertThat(outcome.requireCongestionControl(wanted)).isSameAs(outcome);
                assertThatThrownBy(() -> outcome.requireCongestionControl(machineDefault))
                    .hasMessageContaining("'" + wanted + "' (sender)").hasMessageContaining("not '" + machineDefault);
                assertThat(read(MACHINE_DEFAULT)).as("the machine's default").isEqualTo(machineDefault);
                assertThat(read(ALLOWED)).as("the machine's allowed list").isEqualTo(machineDefault);
                assertThatThrownBy(() -> topology.useTcpCongestionControl("no_such_algorithm"))
                    .hasMessageContaining("'no_such_algorithm'").hasMessageContaining("available: ");
            } finally {
                Files.writeString(ALLOWED, allowedBefore);
            }
        }
        assertThat(read(ALLOWED)).isEqualTo(allowedBefore);
    }

    @Test
    void shouldKeepTheRouteButDropAnEarlierCongestionControlAndStatusFlags() {
        assertThat(Topology.withoutCongestionControl("10.244.0.0/16 via 10.244.1.1 dev eth0 congctl lock bbr "))
            .containsExactly("10.244.0.0/16", "via", "10.244.1.1", "dev", "eth0");
        assertThat(Topology.withoutCongestionControl("default via 10.244.1.1 dev eth0 congctl reno linkdown"))
            .containsExactly("default", "via", "10.244.1.1", "dev", "eth0");
        assertThat(Topology.withoutCongestionControl("10.244.1.0/24 dev eth0 proto kernel scope link src 10.244.1.2"))
            .containsExactly("10.244.1.0/24", "dev", "eth0", "proto", "kernel", "scope", "link", "src", "10.244.1.2");
    }

    private static String read(Path path) throws IOException {
        return Files.readString(path).trim();
    }

    private static String readQuietly(Path path) {
        try {
            return read(path);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
