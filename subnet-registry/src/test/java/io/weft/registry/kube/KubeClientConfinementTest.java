package io.weft.registry.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The Kubernetes client stays inside io.weft.registry.kube, as jetcd stays inside io.weft.registry.etcd. */
class KubeClientConfinementTest {
    private static final Path MAIN_SOURCES = Path.of("src/main/java");

    @Test
    void shouldImportFabric8OnlyFromTheKubePackage() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
            final List<Path> offenders = files.filter(file -> file.toString().endsWith(".java"))
                .filter(file -> !file.startsWith(MAIN_SOURCES.resolve("io/weft/registry/kube")))
                .filter(KubeClientConfinementTest::importsFabric8)
                .toList();

            assertThat(offenders).isEmpty();
        }
    }

    private static boolean importsFabric8(final Path file) {
        try {
            return Files.readAllLines(file).stream().anyMatch(line -> line.startsWith("import io.fabric8.") ||
                line.startsWith("import tools.jackson."));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
