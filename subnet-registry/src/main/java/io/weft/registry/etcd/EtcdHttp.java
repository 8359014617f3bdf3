package io.weft.registry.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.registry.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * etcd's v3 API as JSON over HTTP/1.1: the gRPC gateway every etcd since 3.4 serves on its client URLs under /v3/, on
 * the JDK's HTTP client. Not jetcd: its gRPC, Netty, protobuf and Guava were a third of the classes weftd loaded and
 * about 11 MiB of its memory (docs/etcd-client.md), for a handful of requests a minute. Requests go to one endpoint
 * at a time; one that fails to connect, times out or says it is unavailable sends the next request to the next one.
 */
final class EtcdHttp {
    /** gRPC's status codes by number: etcd's gateway answers a refused request with one. */
    static final List<String> CODES = List.of("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
        "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
        "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED");
    /** What etcd says of a sign-in token it no longer takes. */
    private static final Pattern TOKEN_REJECTED = Pattern.compile("invalid auth token|auth token is expired"
        + "|user name is empty|revision of auth store is old");
    private static final int MAX_ERROR_BYTES = 4096;
    /** The client's threads: it completes responses on them. Few: weftd waits on one request per thread. */
    static final int EXECUTOR_THREADS = 2;

    /** etcd answered, and refused: {@code code} is gRPC's status name. */
    static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;
        private final String code;

        RefusedException(final String code, final String message) {
            super(message);
            this.code = code;
        }

        String code() {
            return code;
        }
    }

    private final HttpClient client;
    private final ExecutorService executor;
    private final List<URI> endpoints;
    private final Duration timeout;
    private final String username;
    private final String password;
    private volatile int current;
    private volatile String token;

    private EtcdHttp(final HttpClient client, final ExecutorService executor, final EtcdRegistryConfig config) {
        this.client = client;
        this.executor = executor;
        this.endpoints = config.endpoints().stream().map(e -> URI.create(e.endsWith("/") ? e : e + "/")).toList();
        this.timeout = config.requestTimeout();
        this.username = config.username();
        this.password = config.password() == null ? "" : config.password();
    }

    /** Nothing is sent until a request is made; TLS files are read now, and named if they cannot be used. */
    static EtcdHttp open(final EtcdRegistryConfig config) throws IOException {
        // No connect timeout of the client's own: the JDK's client (17) keeps each connection's first exchange, its
        // answer included, reachable through the connect timer for as long as the connection lives (found in kube
        // mode, docs/kubernetes.md). Every request carries the timeout, which covers connecting.
        final HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
        if (config.usesTls()) {
            builder.sslContext(sslContext(config));
        } else {
            // Without these the client initialises the JDK's default TLS context as it is built (its trust store,
            // every provider and cipher suite): time and memory for connections that never use TLS.
            builder.sslContext(new NoTlsContext()).sslParameters(new SSLParameters());
        }
        final ExecutorService executor = newExecutor();
        return new EtcdHttp(builder.executor(executor).build(), executor, config);
    }

    /** The threads, all started now and kept: a cached pool would grow under the failures of an etcd outage. */
    private static ExecutorService newExecutor() {
        final AtomicInteger count = new AtomicInteger();
        final ThreadPoolExecutor executor = (ThreadPoolExecutor)Executors.newFixedThreadPool(EXECUTOR_THREADS,
            runnable -> {
                final Thread thread = new Thread(runnable, "weft-etcd-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        executor.prestartAllCoreThreads();
        return executor;
    }

    /** A request made with a sign-in token (null without {@code --etcd-username}). */
    private interface Signed<T> {
        T send(String authorization) throws IOException, InterruptedException;
    }

    /**
     * POSTs {@code body} to {@code path} (as {@code v3/kv/range}) and returns etcd's answer.
     *
     * @throws RefusedException etcd answered with an error.
     * @throws IOException      no answer: the endpoint could not be reached, did not answer within the timeout, or
     *                          answered something that is not etcd's.
     */
    JsonNode call(final String path, final JsonNode body) throws IOException, InterruptedException {
        return signedIn(authorization -> send(path, body, authorization));
    }

    /** Sends without waiting for the answer, which is ignored: for what is best effort. */
    void callQuietly(final String path, final JsonNode body) {
        try {
            client.sendAsync(request(endpoints.get(current), path, body, token).timeout(timeout).build(),
                HttpResponse.BodyHandlers.discarding());
        } catch (final RejectedExecutionException e) {
            // Closed meanwhile: what was best effort is not sent.
        }
    }

    /**
     * Opens a streaming call (a watch): etcd's answers arrive as one JSON object per line while it lasts. Closing the
     * stream ends the call. {@code requireLeader}: etcd ends the stream when its member loses the cluster's leader,
     * instead of going quiet.
     */
    InputStream stream(final URI endpoint, final String path, final JsonNode body, final boolean requireLeader)
        throws IOException, InterruptedException {
        return signedIn(authorization -> {
            // The timeout ends at etcd's first answer (the watch confirmed), not with the stream.
            final HttpRequest.Builder request = request(endpoint, path, body, authorization).timeout(timeout);
            if (requireLeader) {
                request.header("Grpc-Metadata-hasleader", "true");
            }
            final HttpResponse<InputStream> response = exchange(endpoint, request,
                HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                try (InputStream in = response.body()) {
                    throw failure(endpoint, response.statusCode(), in.readNBytes(MAX_ERROR_BYTES));
                }
            }
            return response.body();
        });
    }

    /**
     * Drops the sign-in token a refusal came with, when etcd no longer takes it (it expired, or the user's password
     * was set): the next request signs in again. Returns whether it did.
     */
    boolean forgetTokenIfRejected(final RefusedException refusal, final String rejected) {
        if (username == null || !rejectsToken(refusal.getMessage())) {
            return false;
        }
        // Another thread may have signed in again since: its token stays.
        forgetToken(rejected);
        return true;
    }

    /** Whether etcd's {@code message} says it no longer takes the sign-in token sent. */
    static boolean rejectsToken(final String message) {
        return TOKEN_REJECTED.matcher(message).find();
    }

    /** Forgets {@code rejected}, the token a watch was refused with. */
    synchronized void forgetToken(final String rejected) {
        if (Objects.equals(token, rejected)) {
            token = null;
        }
    }

    /** The token requests are sent with now (null without {@code --etcd-username}). */
    String token() {
        return token;
    }

    /** The endpoint a failure came from is passed over by the next request. */
    void moveOn(final URI failed) {
        final int index = endpoints.indexOf(failed);
        if (index == current) {
            current = (index + 1) % endpoints.size();
        }
    }

    /** The endpoint the next request goes to. */
    URI endpoint() {
        return endpoints.get(current);
    }

    /**
     * Requests in flight fail; a watch stream must be closed by its reader. The JDK 17 client has no close: its
     * selector thread and idle connections go when it is collected.
     */
    void close() {
        executor.shutdownNow();
    }

    /** {@code request} with the current token; once more with a new one when etcd no longer takes it. */
    private <T> T signedIn(final Signed<T> request) throws IOException, InterruptedException {
        final String authorization = authorization();
        try {
            return request.send(authorization);
        } catch (final RefusedException e) {
            if (!forgetTokenIfRejected(e, authorization)) {
                throw e;
            }
            return request.send(authorization());
        }
    }

    private JsonNode send(final String path, final JsonNode body, final String authorization)
        throws IOException, InterruptedException {
        final URI endpoint = endpoints.get(current);
        final HttpResponse<byte[]> response = exchange(endpoint,
            request(endpoint, path, body, authorization).timeout(timeout), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw failure(endpoint, response.statusCode(), response.body());
        }
        final JsonNode answer;
        try {
            answer = parse(endpoint, response.statusCode(), response.body());
        } catch (final IOException e) {
            moveOn(endpoint);
            throw e;
        }
        if (answer.has("error")) {
            throw refused(endpoint, answer);
        }
        // Every answer of etcd's carries the revision it was made at (a keepalive's inside its result).
        if (!answer.has("header") && !answer.path("result").has("header")) {
            moveOn(endpoint);
            throw new IOException("no etcd answer from " + endpoint + ": " + snippet(response.body()));
        }
        return answer;
    }

    private <T> HttpResponse<T> exchange(final URI endpoint, final HttpRequest.Builder request,
        final HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        try {
            return client.send(request.build(), handler);
        } catch (final IOException e) {
            moveOn(endpoint);
            throw e;
        } catch (final RejectedExecutionException e) {
            throw new IOException("the etcd client is closed", e);
        }
    }

    /**
     * What a status other than 200 says: etcd's own error (a refusal), a server error or a proxy's answer (no
     * answer: the next request asks another endpoint), or a URL that serves no etcd JSON API at all.
     */
    private IOException failure(final URI endpoint, final int status, final byte[] body) {
        final JsonNode answer;
        try {
            answer = parse(endpoint, status, body);
        } catch (final IOException e) {
            moveOn(endpoint);
            if (status == 404 || status == 405) {
                final String why = "no etcd v3 JSON API at " + endpoint + " (HTTP " + status + "): weft needs etcd" +
                    " 3.4 or newer with its gateway on (the default)";
                // With one endpoint that is a setup error; with several, one wrong or briefly proxied URL is not.
                return endpoints.size() == 1 ? new RefusedException("UNIMPLEMENTED", why) : new IOException(why);
            }
            return e;
        }
        return answer.has("error") ? refused(endpoint, answer) : unavailable(endpoint, status, body);
    }

    private IOException unavailable(final URI endpoint, final int status, final byte[] body) {
        moveOn(endpoint);
        return new IOException("HTTP " + status + " from " + endpoint + ": " + snippet(body));
    }

    /** One JSON object, or an IOException saying what came instead. */
    private static JsonNode parse(final URI endpoint, final int status, final byte[] body) throws IOException {
        try {
            // One JSON value and nothing after it (Json.read): a proxy's "404 page not found" is not the number 404.
            final JsonNode answer = Json.read(body);
            if (answer != null && answer.isObject()) {
                return answer;
            }
        } catch (final IOException e) {
            // Not JSON: said below.
        }
        throw new IOException("not an etcd answer from " + endpoint + " (HTTP " + status + "): " + snippet(body));
    }

    private static String snippet(final byte[] body) {
        final String text = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "(empty)" : text.replaceAll("\\s+", " ");
    }

    /** etcd's error answer, as a refusal with gRPC's code; one that says "unavailable" moves on to another member. */
    RefusedException refused(final URI endpoint, final JsonNode answer) {
        final JsonNode error = answer.path("error");
        // A stream's error nests its fields; a call's are beside "error".
        final JsonNode fields = error.isObject() ? error : answer;
        final int number = fields.path(fields.has("grpc_code") ? "grpc_code" : "code").asInt(2);
        final String code = number >= 0 && number < CODES.size() ? CODES.get(number) : "UNKNOWN";
        if ("UNAVAILABLE".equals(code)) {
            moveOn(endpoint);
        }
        return new RefusedException(code, fields.path("message").asText(error.asText("no message")));
    }

    private HttpRequest.Builder request(final URI endpoint, final String path, final JsonNode body,
        final String authorization) {
        final HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    /** The token for {@code --etcd-username}, signed in for on first use. */
    private String authorization() throws IOException, InterruptedException {
        if (username == null) {
            return null;
        }
        String signedIn = token;
        if (signedIn == null) {
            final ObjectNode credentials = Json.object().put("name", username).put("password", password);
            signedIn = send("v3/auth/authenticate", credentials, null).path("token").asText();
            synchronized (this) {
                token = signedIn;
            }
        }
        return signedIn;
    }

    private static SSLContext sslContext(final EtcdRegistryConfig config) throws IOException {
        try {
            final TrustManagerFactory trust = TrustManagerFactory.getInstance(
                TrustManagerFactory.getDefaultAlgorithm());
            if (config.caFile() == null) {
                trust.init((KeyStore)null);
            } else {
                final KeyStore authorities = emptyKeyStore();
                int n = 0;
                for (final Certificate certificate : certificates(config.caFile())) {
                    authorities.setCertificateEntry("ca-" + n++, certificate);
                }
                trust.init(authorities);
            }
            final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            final KeyStore own = emptyKeyStore();
            if (config.certFile() != null) {
                // PemKeys reads PKCS#1 as well as PKCS#8: kubeadm writes PKCS#1.
                final PrivateKey key = PemKeys.read(config.keyFile());
                final Certificate[] chain = certificates(config.certFile()).toArray(Certificate[]::new);
                own.setKeyEntry("client", key, new char[0], chain);
            }
            keys.init(own, new char[0]);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (final IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("cannot use the etcd TLS files (--etcd-cafile " + config.caFile() +
                ", --etcd-certfile " + config.certFile() + ", --etcd-keyfile " + config.keyFile() +
                "; the key must be PKCS#8 or PKCS#1 PEM): " + e.getMessage(), e);
        }
    }

    private static KeyStore emptyKeyStore() throws IOException, GeneralSecurityException {
        final KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        return store;
    }

    private static List<Certificate> certificates(final Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            final List<Certificate> all = new ArrayList<>(CertificateFactory.getInstance("X.509")
                .generateCertificates(in));
            if (all.isEmpty()) {
                throw new IOException(file + " holds no certificate");
            }
            return all;
        }
    }
}
