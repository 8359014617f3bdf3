package io.weft.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcdServerTest {
    @TempDir
    Path directory;

    @Test
    void shouldServeUntilKilledThenServeTheSameDataWhenRestartedAndDeleteItWhenClosed() throws Exception {
        final Path dataDir = directory.resolve("etcd");
        final EtcdServer server = EtcdServer.startOnLoopback(dataDir);
        try {
            assertThat(server.endpoint()).startsWith("http://127.0.0.1:");
            assertThat(server.isRunning()).isTrue();
            assertThat(accepts(server)).isTrue();

            server.kill();
            assertThat(server.isRunning()).isFalse();
            assertThat(accepts(server)).isFalse();

            server.restart();
            assertThat(accepts(server)).isTrue();
            assertThat(Files.isDirectory(dataDir.resolve("member"))).isTrue();
        } finally {
            server.close();
        }
        assertThat(server.isRunning()).isFalse();
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void shouldFailWithEtcdsWordsWhenItCannotStart() throws IOException {
        final int port = EtcdServer.freePort();

        assertThatThrownBy(() -> EtcdServer.start("192.0.2.1", port, EtcdServer.freePort(), directory.resolve("etcd"),
            null))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("exited")
            .hasMessageContaining("192.0.2.1");
    }

    private static boolean accepts(final EtcdServer server) {
        final String hostPort = server.endpoint().substring("http://".length());
        final int colon = hostPort.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1))), 1_000);
            return true;
        } catch (final IOException e) {
            return false;
        }
    }
}
