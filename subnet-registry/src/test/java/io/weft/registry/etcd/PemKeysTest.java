package io.weft.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --etcd-keyfile as kubeadm writes it (PKCS#1, openssl genrsa -traditional) and as PKCS#8; keys made by openssl. */
class PemKeysTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadAPkcs1KeyAsTheSameKeyInPkcs8() throws Exception {
        final Path pkcs1 = dir.resolve("pkcs1.key");
        final Path pkcs8 = dir.resolve("pkcs8.key");
        openssl("genrsa", "-traditional", "-out", pkcs1.toString(), "2048");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", pkcs1.toString(), "-out", pkcs8.toString());
        assertThat(Files.readString(pkcs1)).contains("BEGIN RSA PRIVATE KEY");

        final PrivateKey fromPkcs1 = PemKeys.read(pkcs1);
        final PrivateKey fromPkcs8 = PemKeys.read(pkcs8);

        assertThat(fromPkcs1.getAlgorithm()).isEqualTo("RSA");
        assertThat(fromPkcs1.getEncoded()).isEqualTo(fromPkcs8.getEncoded());
    }

    @Test
    void shouldReadAPkcs8EcKeyWhenGiven() throws Exception {
        final Path key = dir.resolve("ec.key");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());

        assertThat(PemKeys.read(key).getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void shouldSayWhatIsWrongWhenTheFileHoldsNoKey() throws Exception {
        final Path file = dir.resolve("empty.pem");
        Files.writeString(file, "not a key\n");

        assertThatThrownBy(() -> PemKeys.read(file)).isInstanceOf(IOException.class)
            .hasMessageContaining("no PEM private key");
    }

    private static void openssl(final String... args) throws Exception {
        final List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    }
}
