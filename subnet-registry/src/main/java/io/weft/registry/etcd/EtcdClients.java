package io.weft.registry.etcd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;

/** Builds the jetcd client from flanneld's flags, and keeps jetcd's libraries from writing into weftd's log. */
final class EtcdClients {
    /** Strong references: java.util.logging forgets the level of a logger that was garbage collected. */
    private static final Logger[] QUIETED = {Logger.getLogger("io.grpc"), Logger.getLogger("io.netty"),
        Logger.getLogger("io.vertx")};
    private static final int MAX_RESPONSE_BYTES = 64 << 20;

    private EtcdClients() {
    }

    /** Idempotent; call before the first jetcd class loads, as SLF4J reads its setting once. */
    static void quietLibraryLogging() {
        // gRPC logs its transport probing at INFO through java.util.logging; weftd's log is one line per event.
        for (final Logger logger : QUIETED) {
            logger.setLevel(Level.WARNING);
        }
        // jetcd logs through SLF4J, which weftd ships without a binding: SLF4J would warn about that on stderr.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
    }

    static Client build(final EtcdRegistryConfig config) throws IOException {
        quietLibraryLogging();
        final ClientBuilder builder = Client.builder()
            .endpoints(config.endpoints().toArray(String[]::new))
            // Fail fast while etcd is down instead of queueing requests: the registry has its own backoff.
            .waitForReady(false)
            .connectTimeout(config.requestTimeout())
            // A lease listing of thousands of nodes must not hit gRPC's 4 MB default.
            .maxInboundMessageSize(MAX_RESPONSE_BYTES);
        if (config.username() != null) {
            builder.user(bytes(config.username())).password(bytes(config.password() == null ? "" : config.password()));
        }
        if (config.usesTls()) {
            try {
                // Read here, not by netty: netty takes PKCS#8 keys only, kubeadm writes PKCS#1.
                final PrivateKey key = config.certFile() == null ? null : PemKeys.read(config.keyFile());
                final X509Certificate[] chain = config.certFile() == null ? null : certificates(config.certFile());
                builder.sslContext(ssl -> {
                    if (config.caFile() != null) {
                        ssl.trustManager(config.caFile().toFile());
                    }
                    if (key != null) {
                        ssl.keyManager(key, chain);
                    }
                });
            } catch (final IOException | IllegalArgumentException e) {
                throw new IOException("cannot use the etcd TLS files (--etcd-cafile " + config.caFile() +
                    ", --etcd-certfile " + config.certFile() + ", --etcd-keyfile " + config.keyFile() +
                    "; the key must be PKCS#8 or PKCS#1 PEM): " + e.getMessage(), e);
            }
        }
        return builder.build();
    }

    private static X509Certificate[] certificates(final Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        } catch (final CertificateException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static ByteSequence bytes(final String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }
}
