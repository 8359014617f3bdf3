package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeftdProcessTest {

    @Test
    void shouldRunTheJarWithTheJvmOptionsBesideItWhenBuildingCommand() {
        List<String> command = WeftdProcess.command(Path.of("/w/weftd.jar"), List.of("--iface", "eth0"));

        assertThat(command.get(0)).endsWith("/bin/java");
        assertThat(command.subList(1, command.size())).containsExactly("@/w/weftd.jvm", "-jar", "/w/weftd.jar",
            "--iface", "eth0");
    }

    @Test
    void shouldPutJvmOptionsAfterTheShippedOnesSoTheyOverrideThem() {
        List<String> command = WeftdProcess.command(Path.of("/w/weftd.jar"), List.of("--ip-masq"));

        assertThat(WeftdProcess.withJvmOptions(command, List.of("-XX:+UseG1GC", "-Xmx64m")).subList(1,
            command.size() + 2)).containsExactly("@/w/weftd.jvm", "-XX:+UseG1GC", "-Xmx64m", "-jar", "/w/weftd.jar",
            "--ip-masq");
    }

    @Test
    void shouldUseDefaultsWhenHealthzFlagsAreAbsentOrWildcard() {
        assertThat(WeftdProcess.healthzEndpoint(List.of("--iface", "eth0")))
            .isEqualTo(Map.entry("127.0.0.1", WeftdProcess.DEFAULT_HEALTHZ_PORT));
        assertThat(WeftdProcess.healthzEndpoint(List.of("--healthz-ip", "0.0.0.0", "--healthz-port", "9300")))
            .isEqualTo(Map.entry("127.0.0.1", 9300));
        assertThat(WeftdProcess.healthzEndpoint(List.of("--healthz-ip=192.168.213.1", "--healthz-port=9400")))
            .isEqualTo(Map.entry("192.168.213.1", 9400));
    }
}
