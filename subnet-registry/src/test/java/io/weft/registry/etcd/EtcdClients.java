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
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;

/**
 * The tests' own etcd writer: a jetcd client from the registry's flags (TLS included), writing what flanneld or
 * etcdctl would. weftd itself talks to etcd over HTTP (EtcdHttp); this was its client before, and keeps jetcd's
 * libraries from writing into the tests' log.
 */
final class EtcdClients {
    /** Strong references: java.util.logging forgets the level of a logger that was garbage collected. */
    private static final Logger[] QUIETED = {Logger.getLogger("io.grpc"), Logger.getLogger("io.netty"),
        Logger.getLogger("io.vertx")};
    private static final int MAX_RESPONSE_BYTES = 64 << 20;
    /**
     * etcd (grpc-go) answers a client that pings more often than it allows with GOAWAY ENHANCE_YOUR_CALM
     * "too_many_pings" and closes the connection: it allows one ping per {@code --grpc-keepalive-min-time} (5 s by
     * default) on a connection with a stream open, and, as it does not permit pings without streams, one per two
     * hours on a connection with none. So pings go only where a call is open (a watch), six times slower than the
     * default minimum, which leaves room for an operator who raises it.
     */
    static final Duration KEEPALIVE_TIME = Duration.ofSeconds(30);
    /** A ping unanswered this long closes the connection: the watch then fails and is set up again. */
    static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);
    /** The client's threads: gRPC's call callbacks and jetcd's retries. Few: weftd waits on one request per thread. */
    static final int EXECUTOR_THREADS = 2;

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

    /**
     * The threads jetcd and gRPC's callbacks run on, all started now and kept for the client's life; shut it down
     * after closing the client. Their defaults are cached pools, which grow under the burst of failures and retries
     * of an etcd outage and keep the threads a while after it; handing jetcd a scheduled pool also keeps its retry
     * library from starting a timer thread of its own, which lives until the JVM exits.
     */
    static ScheduledExecutorService newExecutor() {
        final AtomicInteger count = new AtomicInteger();
        final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(EXECUTOR_THREADS, runnable -> {
            final Thread thread = new Thread(runnable, "test-etcd-writer-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        executor.prestartAllCoreThreads();
        return executor;
    }

    /** {@code executor}, from {@link #newExecutor()}, stays the caller's to shut down. */
    static Client build(final EtcdRegistryConfig config, final ScheduledExecutorService executor) throws IOException {
        return builder(config, executor).build();
    }

    /** The builder {@link #build} builds with, for tests that change a timing. */
    static ClientBuilder builder(final EtcdRegistryConfig config, final ScheduledExecutorService executor)
        throws IOException {
        quietLibraryLogging();
        final ClientBuilder builder = Client.builder()
            .endpoints(config.endpoints().toArray(String[]::new))
            .executorService(executor)
            .interceptor(callbacksOn(executor))
            .keepaliveTime(KEEPALIVE_TIME)
            .keepaliveTimeout(KEEPALIVE_TIMEOUT)
            .keepaliveWithoutCalls(false)
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
        return builder;
    }

    /** Runs every call's callbacks on {@code executor} instead of the channel's default, gRPC's shared cached pool. */
    private static ClientInterceptor callbacksOn(final Executor executor) {
        return new ClientInterceptor() {
            @Override
            public <Q, A> ClientCall<Q, A> interceptCall(final MethodDescriptor<Q, A> method, final CallOptions options,
                final Channel next) {
                return next.newCall(method, options.withExecutor(executor));
            }
        };
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
