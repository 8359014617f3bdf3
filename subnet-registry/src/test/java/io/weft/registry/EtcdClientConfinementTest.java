package io.weft.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The etcd client stays inside io.weft.registry.etcd, as ARCHITECTURE.md promises, and is weft's own on the JDK's
 * HTTP client: no main source imports jetcd or the gRPC, Netty and Vert.x under it (docs/footprint.md says what they
 * cost), and no other package speaks etcd's API.
 */
class EtcdClientConfinementTest {
    private static final Path MAIN_SOURCES = Path.of("src/main/java");
    private static final Path ETCD_PACKAGE = MAIN_SOURCES.resolve("io/weft/registry/etcd");

    @Test
    void shouldImportNoGrpcEtcdClient() throws IOException {
        assertThat(mainSources().filter(file -> lines(file).anyMatch(line -> line.startsWith("import io.etcd.") ||
            line.startsWith("import io.grpc.") || line.startsWith("import io.netty.") ||
            line.startsWith("import io.vertx."))).toList()).isEmpty();
    }

    @Test
    void shouldSpeakEtcdsApiFromTheEtcdPackageOnly() throws IOException {
        final List<Path> speakers = mainSources().filter(file -> lines(file).anyMatch(line -> line.contains("\"v3/")))
            .toList();
        assertThat(speakers).isNotEmpty().allMatch(file -> file.startsWith(ETCD_PACKAGE));
    }

    private static Stream<Path> mainSources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
            return files.filter(file -> file.toString().endsWith(".java")).toList().stream();
        }
    }

    private static Stream<String> lines(final Path file) {
        try {
            return Files.readAllLines(file).stream();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
