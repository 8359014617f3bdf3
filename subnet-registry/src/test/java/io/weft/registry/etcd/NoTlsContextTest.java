package io.weft.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoTlsContextTest {
    /**
     * Built with a context of the JDK's, even one never initialised, the client loaded every security provider and
     * tried every cipher suite (sun.security.ssl's classes) on each start of a weftd whose etcd speaks plain HTTP.
     */
    @Test
    void shouldBuildAPlainHttpClientWithoutLoadingTheJdksTls(@TempDir final Path dir) throws IOException,
        InterruptedException {
        final Path output = dir.resolve("probe.txt");
        final Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xlog:class+load=info:stdout", "-cp", System.getProperty("java.class.path"),
            PlainClientProbe.class.getName()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        final boolean ended = probe.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            probe.destroyForcibly();
        }
        final List<String> loaded = Files.readAllLines(output);
        assertThat(ended).as("the probe's JVM ended within 60 s").isTrue();

        assertThat(probe.exitValue()).as("the probe's exit status; its output: %s", loaded).isZero();
        assertThat(loaded).as("classes the probe loaded").anyMatch(line -> line.contains(" " + EtcdHttp.class.getName()
            + " ")).noneMatch(line -> line.contains(" sun.security.ssl."));
    }

    @Test
    void shouldRefuseToBeUsedNamingWhy() {
        final NoTlsContext context = new NoTlsContext();

        assertThatThrownBy(context::createSSLEngine).isInstanceOf(UnsupportedOperationException.class)
            .hasMessageContaining("plain HTTP");
        assertThatThrownBy(context::getSocketFactory).isInstanceOf(UnsupportedOperationException.class);
    }
}
