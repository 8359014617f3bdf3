package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;

class TestbedLifecycleTest {

    @BeforeEach
    void requireRoot() {
        Assumptions.assumeTrue(Testbed.unavailabilityCause().isEmpty(), () -> Testbed.unavailabilityCause().get());
    }

    @Test
    void shouldRemoveNamespacesProcessesAndRunDirWhenClosed() {
        Testbed testbed = Testbed.create();
        Node node = testbed.addNode("n1", "192.168.213.1");
        Pod pod = node.addPod("a", Conflists.weft("10.244.1.0/24"));
        ManagedProcess sleeper = pod.start("sleeper", List.of("sleep", "60"));
        assertThat(testbed.namespaces()).containsExactly(testbed.prefix() + "-ul", node.name(), pod.name());
        assertThat(listNamespaces()).contains(node.name(), pod.name());
        assertThat(testbed.runDir().resolve("n1-a-sleeper.log")).exists();

        testbed.close();
        testbed.close();

        assertThat(sleeper.isAlive()).isFalse();
        assertThat(listNamespaces()).noneMatch(name -> name.startsWith(testbed.prefix() + "-"));
        assertThat(testbed.runDir()).doesNotExist();
        assertThat(testbed.namespaces()).isEmpty();
        assertThatThrownBy(() -> testbed.addNode("n2", "192.168.213.2")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldReachHubAndRefuseBadNamesWhenNodeIsAdded() {
        try (Testbed testbed = Testbed.create()) {
            Node node = testbed.addNode("n1", "192.168.213.7");

            assertThat(node.exec("ping", "-c", "1", "-W", "1", Hub.IP).ok()).isTrue();
            assertThat(node.exec("sysctl", "-n", "net.ipv4.ip_forward").orThrow().stdout().strip()).isEqualTo("1");
            assertThat(testbed.hub().exec("ip", "link", "show", "master", "br0").orThrow().stdout()).contains("ul-n1");
            assertThatThrownBy(() -> testbed.addNode("n1", "192.168.213.8"))
                .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> testbed.addNode("n2", "192.168.213.7"))
                .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> testbed.addNode("N-2", "192.168.213.9"))
                .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> testbed.addNode("n3", "10.1.1.1")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void shouldCarryPluginOutputWhenCniAddFails() {
        try (Testbed testbed = Testbed.create()) {
            Node node = testbed.addNode("n1", "192.168.213.1");

            assertThatThrownBy(() -> node.addPod("bad", Conflists.weft("10.244.1.0/33")))
                .isInstanceOf(TestbedException.class)
                .hasMessageContaining("CNI plugin bridge ADD failed")
                .hasMessageContaining("invalid CIDR address: 10.244.1.0/33");
            assertThat(testbed.namespaces()).contains(testbed.prefix() + "-n1-bad");
        }
    }

    @Test
    void shouldEscalateToSigkillWhenProcessIgnoresSigterm() {
        try (Testbed testbed = Testbed.create()) {
            ManagedProcess polite = testbed.hub().start("polite", List.of("sleep", "60"));
            ManagedProcess stubborn = testbed.hub().start("stubborn",
                List.of("sh", "-c", "trap '' TERM; echo trapped; sleep 60; sleep 60"));
            stubborn.awaitLogLine("trapped"::equals, Duration.ofSeconds(5));

            assertThat(polite.stop()).isEqualTo(143);
            long start = System.nanoTime();
            assertThat(stubborn.stop()).isEqualTo(137);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(ManagedProcess.STOP_GRACE);
            assertThat(stubborn.isAlive()).isFalse();
        }
    }

    @Test
    void shouldSeeHealthAndMetricsWhenDaemonServesThem() throws IOException {
        try (Testbed testbed = Testbed.create()) {
            Node node = testbed.addNode("n1", "192.168.213.1");
            Path jar = fakeWeftdJar(testbed.runDir().resolve("fake-weftd.jar"));

            WeftdProcess weftd = node.startWeftd(jar, List.of("--metrics-ip", "127.0.0.1", "--metrics-port", "19286"))
                .awaitHealthy(Duration.ofSeconds(20));

            assertThat(weftd.metrics()).containsEntry("weft_up", 1L)
                .containsEntry("weft_drops_total{reason=\"no_route\"}", 4L);
            assertThat(weftd.process().command()).contains("@" + jar.resolveSibling(WeftdProcess.JVM_OPTIONS_FILE),
                "-jar", jar.toString());
            assertThat(weftd.stop()).isEqualTo(143);
        }
    }

    private static List<String> listNamespaces() {
        return Shell.run(List.of("ip", "netns", "list")).orThrow().stdout().lines()
            .map(line -> line.split(" ")[0]).toList();
    }

    private static Path fakeWeftdJar(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeWeftd.class.getName());
        String entry = FakeWeftd.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             InputStream in = FakeWeftd.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        Files.writeString(jar.resolveSibling(WeftdProcess.JVM_OPTIONS_FILE), "-Xmx64m\n");
        return jar;
    }
}
