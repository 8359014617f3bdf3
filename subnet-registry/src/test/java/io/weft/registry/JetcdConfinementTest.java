package io.weft.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The etcd client and its transport stay inside io.weft.registry.etcd, as ARCHITECTURE.md promises. */
class JetcdConfinementTest {
    private static final Path MAIN_SOURCES = Path.of("src/main/java");

    @Test
    void shouldImportJetcdOnlyFromTheEtcdPackage() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
            final List<Path> offenders = files.filter(file -> file.toString().endsWith(".java"))
                .filter(file -> !file.startsWith(MAIN_SOURCES.resolve("io/weft/registry/etcd")))
                .filter(JetcdConfinementTest::importsTheEtcdClient)
                .toList();

            assertThat(offenders).isEmpty();
        }
    }

    private static boolean importsTheEtcdClient(final Path file) {
        try {
            return Files.readAllLines(file).stream().anyMatch(line -> line.startsWith("import io.etcd.") ||
                line.startsWith("import io.grpc.") || line.startsWith("import io.netty.") ||
                line.startsWith("import io.vertx."));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
