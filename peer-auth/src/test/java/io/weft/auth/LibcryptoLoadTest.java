package io.weft.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libcrypto's pages (some megabytes resident) belong only to a node that agrees with many peers at once: a node's key,
 * its public key and agreements one at a time leave the library unloaded; once loaded, every agreement runs there. Run
 * in a JVM of its own, as another test of this JVM may have loaded it.
 */
class LibcryptoLoadTest {
    @Test
    void shouldLoadLibcryptoForAgreementsInBulkOnly(@TempDir final Path dir) throws IOException, InterruptedException {
        assumeTrue(OpenSslX25519.isAvailable(), NodeKey.bulkAgreementEngine());
        final Path output = dir.resolve("probe.txt");
        final Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), Probe.class.getName(), dir.toString())
            .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        final boolean ended = probe.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            probe.destroyForcibly().waitFor();
        }
        final List<String> lines = Files.readAllLines(output);
        assertThat(ended).as("the probe's JVM ended within 60 s").isTrue();
        assertThat(probe.exitValue()).as("the probe's exit status; its output: %s", lines).isZero();

        assertThat(lines).containsExactly("one at a time: libcrypto mapped false, X25519 in the JDK",
            "in bulk: libcrypto mapped true, X25519 in libcrypto.so.3",
            "one at a time after: libcrypto mapped true, X25519 in libcrypto.so.3");
    }

    /**
     * Agrees one at a time (a key made, a key file written and read), then in bulk, saying after each whether libcrypto
     * is mapped into this process.
     */
    public static final class Probe {
        public static void main(final String[] args) throws IOException {
            final NodeKey ours = NodeKey.generate();
            final Path keyFile = Path.of(args[0]).resolve("node.key");
            NodeKey.loadOrCreate(keyFile);
            final NodeKey peer = NodeKey.loadOrCreate(keyFile);
            final byte[] secret = ours.sharedSecret(peer.publicKey());
            assertThat(secret).isEqualTo(peer.sharedSecret(ours.publicKey()));
            System.out.println("one at a time: libcrypto mapped " + libcryptoMapped() + ", "
                + NodeKey.agreementEngine());
            assertThat(ours.sharedSecretInBulk(peer.publicKey())).isEqualTo(secret);
            System.out.println("in bulk: libcrypto mapped " + libcryptoMapped() + ", " + NodeKey.agreementEngine());
            assertThat(ours.sharedSecret(peer.publicKey())).isEqualTo(secret);
            System.out.println("one at a time after: libcrypto mapped " + libcryptoMapped() + ", "
                + NodeKey.agreementEngine());
        }

        private static boolean libcryptoMapped() throws IOException {
            return Files.readString(Path.of("/proc/self/maps")).contains(OpenSslX25519.LIBRARY);
        }
    }
}
