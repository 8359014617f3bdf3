package io.weft.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.etcd.jetcd.Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import io.weft.registry.Lease;
import io.weft.routing.Ipv4Addresses;

/**
 * weftd's --etcd-cafile/--etcd-certfile/--etcd-keyfile against a real etcd that serves TLS only and asks for client
 * certificates, all made by openssl for the test: a lease is acquired through it, and what lacks a trusted client
 * certificate or the right CA gets nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdTlsTest {
    private static final String PREFIX = "/tls.test/network";

    @TempDir
    static Path dir;
    private EtcdServer etcd;
    private Path ca;
    private Path clientCert;
    private Path clientKey;

    @BeforeAll
    void startEtcd() throws Exception {
        ca = dir.resolve("ca.crt");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=weft-test-ca", "-keyout", dir.resolve("ca.key").toString(), "-out", ca.toString());
        // etcd's JSON gateway, which weft talks to, reaches etcd's gRPC inside etcd with the server's certificate as
        // its client certificate: with --client-cert-auth that must allow client use too, as kubeadm's etcd's does.
        final Path serverCert = sign("etcd", "serverAuth,clientAuth");
        clientCert = sign("weftd", "clientAuth");
        clientKey = dir.resolve("weftd.key");
        etcd = EtcdServer.startOnLoopback(dir.resolve("etcd-data"),
            new EtcdServer.ServerTls(ca, serverCert, dir.resolve("etcd.key")));
    }

    @AfterAll
    void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Test
    void shouldAcquireALeaseOverTlsWithAClientCertificate() throws Exception {
        final EtcdRegistryConfig config = config().withTls(ca, clientCert, clientKey);
        final ScheduledExecutorService executor = EtcdClients.newExecutor();
        try (Client client = EtcdClients.build(config, executor)) {
            EtcdTestKit.put(client, config.configKey(), EtcdTestKit.FLANNEL_CONFIG);
        } finally {
            executor.shutdownNow();
        }

        try (EtcdLeaseRegistry registry = EtcdLeaseRegistry.open(config)) {
            assertThat(registry.awaitNetworkConfig().network().toString()).isEqualTo("10.244.0.0/16");
            final Lease lease = registry.acquire(Ipv4Addresses.parse("192.168.100.7"), null, true);
            assertThat(lease.partialChecksums()).isTrue();
        }
        assertThat(etcd.endpoint()).startsWith("https://");
    }

    @Test
    void shouldConnectWithAPkcs1RsaKeyAsKubeadmWritesIt() throws Exception {
        final Path key = dir.resolve("rsa-client.key");
        openssl("genrsa", "-traditional", "-out", key.toString(), "2048");
        final Path extensions = dir.resolve("rsa-client.ext");
        Files.writeString(extensions, "extendedKeyUsage=clientAuth\n");
        openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=rsa-client", "-out",
            dir.resolve("rsa-client.csr").toString());
        final Path certificate = dir.resolve("rsa-client.crt");
        openssl("x509", "-req", "-in", dir.resolve("rsa-client.csr").toString(), "-CA", ca.toString(), "-CAkey",
            dir.resolve("ca.key").toString(), "-CAcreateserial", "-days", "1", "-extfile", extensions.toString(),
            "-out", certificate.toString());
        assertThat(Files.readString(key)).contains("BEGIN RSA PRIVATE KEY");

        final EtcdRegistryConfig config = config().withTls(ca, certificate, key);
        final ScheduledExecutorService executor = EtcdClients.newExecutor();
        try (Client client = EtcdClients.build(config, executor)) {
            EtcdTestKit.put(client, config.configKey(), EtcdTestKit.FLANNEL_CONFIG);
        } finally {
            executor.shutdownNow();
        }
        try (EtcdLeaseRegistry registry = EtcdLeaseRegistry.open(config)) {
            assertThat(registry.awaitNetworkConfig().network().toString()).isEqualTo("10.244.0.0/16");
        }
    }

    @Test
    void shouldGetNoAnswerWhenTheClientHasNoCertificateOrDoesNotTrustTheServer() throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=other-ca", "-keyout", dir.resolve("other.key").toString(), "-out",
            dir.resolve("other.crt").toString());

        assertNoConfigWithin(config().withTls(ca, null, null));
        assertNoConfigWithin(config().withTls(dir.resolve("other.crt"), clientCert, clientKey));
    }

    /**
     * etcd's gateway reaches etcd's gRPC with the server's own certificate: one made for server use only (as weft's
     * docs once said to make it) gets every request through the gateway closed, which looks like etcd being away.
     * The warning says what to change.
     */
    @Test
    void shouldSayWhatToChangeWhenEtcdsCertificateAllowsNoClientUse() throws Exception {
        final Path serverOnly = sign("etcd-server-only", "serverAuth");
        try (EtcdServer strict = EtcdServer.startOnLoopback(dir.resolve("etcd-server-only-data"),
            new EtcdServer.ServerTls(ca, serverOnly, dir.resolve("etcd-server-only.key")));
            EtcdTestKit.CapturedLog log = new EtcdTestKit.CapturedLog()) {
            final EtcdRegistryConfig config = EtcdRegistryConfig.defaults(List.of(strict.endpoint()))
                .withPrefix(PREFIX).withTls(ca, clientCert, clientKey).withTimings(Duration.ofMillis(50),
                    Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMillis(50));
            assertNoConfigWithin(config);
            assertThat(log.lines("unreachable")).isNotEmpty()
                .allMatch(line -> line.contains("must allow client use too (extendedKeyUsage clientAuth)"));
        }
    }

    @Test
    void shouldNameTheFlagsWhenATlsFileCannotBeUsed() {
        assertThatThrownBy(() -> EtcdLeaseRegistry.open(config().withTls(ca, clientCert, dir.resolve("missing.key"))))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("--etcd-keyfile " + dir.resolve("missing.key"))
            .hasMessageContaining("PKCS#8");
    }

    private EtcdRegistryConfig config() {
        return EtcdRegistryConfig.defaults(List.of(etcd.endpoint())).withPrefix(PREFIX)
            .withTimings(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMillis(50));
    }

    /** The registry keeps retrying (as with etcd down) and never sees the config, which is there. */
    private static void assertNoConfigWithin(final EtcdRegistryConfig config) throws Exception {
        try (EtcdLeaseRegistry registry = EtcdLeaseRegistry.open(config)) {
            final CompletableFuture<Object> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return registry.awaitNetworkConfig();
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return e;
                }
            });
            assertThatThrownBy(() -> read.get(3, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
            read.cancel(true);
        }
    }

    /** A key and a certificate for {@code name} (IP SAN 127.0.0.1) signed by the test CA, for that key usage. */
    private Path sign(final String name, final String usage) throws Exception {
        final Path extensions = dir.resolve(name + ".ext");
        Files.writeString(extensions, "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=" + usage + "\n");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + name,
            "-keyout", dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".csr").toString());
        final Path certificate = dir.resolve(name + ".crt");
        openssl("x509", "-req", "-in", dir.resolve(name + ".csr").toString(), "-CA", ca.toString(), "-CAkey",
            dir.resolve("ca.key").toString(), "-CAcreateserial", "-days", "1", "-extfile", extensions.toString(),
            "-out", certificate.toString());
        return certificate;
    }

    private static void openssl(final String... args) throws Exception {
        final List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    }
}
