package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeftdProcessTest {

    @Test
    void shouldRunTheJarWithTheJvmOptionsBesideItWhenBuildingCommand() {
        List<String> command = WeftdProcess.command(Path.of("/w/weftd.jar"), List.of("--iface", "eth0"));

        assertThat(command.get(0)).endsWith("/bin/java");
        assertThat(command.subList(1, command.size())).containsExactly("@/w/weftd.jvm", "-jar", "/w/weftd.jar",
            "--iface", "eth0");
    }

    @Test
    void shouldMapTheClassArchiveWhenTheBuildMadeOneBesideTheJar(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("weftd.jar");
        Files.createFile(dir.resolve(WeftdProcess.CLASS_ARCHIVE_FILE));

        assertThat(WeftdProcess.command(jar, List.of()).subList(1, 4)).containsExactly("@" + dir.resolve("weftd.jvm"),
            "-XX:SharedArchiveFile=" + dir.resolve("weftd.jsa"), "-jar");
    }

    @Test
    void shouldPutJvmOptionsAfterTheShippedOnesSoTheyOverrideThem() {
        List<String> command = WeftdProcess.command(Path.of("/w/weftd.jar"), List.of("--ip-masq"));

        assertThat(WeftdProcess.withJvmOptions(command, List.of("-XX:+UseG1GC", "-Xmx64m")).subList(1,
            command.size() + 2)).containsExactly("@/w/weftd.jvm", "-XX:+UseG1GC", "-Xmx64m", "-jar", "/w/weftd.jar",
            "--ip-masq");
    }

    @Test
    void shouldUseDefaultsWhenMetricsFlagsAreAbsentOrWildcard() {
        assertThat(WeftdProcess.metricsEndpoint(List.of("--iface", "eth0", "--healthz-port", "9301")))
            .isEqualTo(Map.entry("127.0.0.1", WeftdProcess.DEFAULT_METRICS_PORT));
        assertThat(WeftdProcess.metricsEndpoint(List.of("--metrics-ip", "0.0.0.0", "--metrics-port", "9300")))
            .isEqualTo(Map.entry("127.0.0.1", 9300));
        assertThat(WeftdProcess.metricsEndpoint(List.of("--metrics-ip=192.168.213.1", "--metrics-port=9400")))
            .isEqualTo(Map.entry("192.168.213.1", 9400));
        assertThat(WeftdProcess.metricsEndpoint(List.of("--metrics-port=0", "--healthz-ip", "192.168.213.1",
            "--healthz-port", "9401"))).as("flanneld's port when --metrics-port is off")
            .isEqualTo(Map.entry("192.168.213.1", 9401));
    }

    @Test
    void shouldLaunchFromAnotherJarOnlyWhileAskedAndThenAsBefore(@TempDir Path dir) throws IOException {
        Path other = Files.createFile(dir.resolve("weftd.jar"));
        Files.createFile(dir.resolve(WeftdProcess.JVM_OPTIONS_FILE));
        String was = System.getProperty(WeftdProcess.JAR_PROPERTY);
        try {
            System.clearProperty(WeftdProcess.JAR_PROPERTY);
            assertThat(WeftdProcess.fromJar(other.toString(), WeftdProcess::locateJar)).isEqualTo(other);
            assertThat(System.getProperty(WeftdProcess.JAR_PROPERTY)).as("unset again").isNull();

            System.setProperty(WeftdProcess.JAR_PROPERTY, "/somewhere/else.jar");
            WeftdProcess.fromJar(other.toString(), () -> null);
            assertThat(System.getProperty(WeftdProcess.JAR_PROPERTY)).isEqualTo("/somewhere/else.jar");
            assertThat(WeftdProcess.fromJar(null, () -> System.getProperty(WeftdProcess.JAR_PROPERTY)))
                .as("no jar: as it was").isEqualTo("/somewhere/else.jar");
        } finally {
            if (was == null) {
                System.clearProperty(WeftdProcess.JAR_PROPERTY);
            } else {
                System.setProperty(WeftdProcess.JAR_PROPERTY, was);
            }
        }
    }
}
