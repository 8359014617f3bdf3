package io.weft.registry.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.log.Log;
import io.weft.registry.Json;
import io.weft.registry.RegistryStats;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The etcd requests the registry makes, blocking with a timeout, in flannel's shapes. Failures become a
 * {@link RetryableEtcdException} (etcd unreachable, slow, no leader: try again later) or an {@link IOException}
 * (refused: bad credentials, permission). Tracks whether etcd is reachable, to log the change once and count
 * reconnects.
 */
final class EtcdCalls {
    /** gRPC codes that say "not now" rather than "never". */
    private static final Set<String> RETRYABLE_CODES = Set.of("UNAVAILABLE", "DEADLINE_EXCEEDED", "ABORTED",
        "RESOURCE_EXHAUSTED", "CANCELLED", "UNKNOWN", "INTERNAL");

    private final EtcdHttp http;
    private final long timeoutMs;
    private final RegistryStats stats;
    private final String endpoints;
    private final boolean severalMembers;
    private final String unreachableHint;
    private final AtomicBoolean unreachable = new AtomicBoolean();
    /** Requests (and watches) failed since etcd last answered. */
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private volatile boolean closed;

    EtcdCalls(final EtcdHttp http, final EtcdRegistryConfig config, final RegistryStats stats) {
        this.http = http;
        this.timeoutMs = config.requestTimeout().toMillis();
        this.stats = stats;
        this.endpoints = String.join(",", config.endpoints());
        this.severalMembers = config.endpoints().size() > 1;
        // The one setup whose failure looks like etcd being away (docs/etcd-client.md): say it where it shows.
        this.unreachableHint = config.certFile() == null ? "" : "; if etcd requires client certificates, its server" +
            " certificate must allow client use too (extendedKeyUsage clientAuth): docs/etcd-client.md";
    }

    /** One key-value pair as the registry needs it; {@code leaseId} 0 means no etcd lease (a reservation). */
    record Entry(String key, String value, long leaseId, long modRevision) {
    }

    /** Keys under a prefix, as of {@code revision}. */
    record Listing(List<Entry> entries, long revision) {
    }

    /** The entry at {@code key}, or null. */
    Entry get(final String key) throws IOException, InterruptedException {
        final JsonNode kvs = call("v3/kv/range", keyOnly(key), "get " + key).path("kvs");
        return kvs.isEmpty() ? null : entry(kvs.get(0));
    }

    Listing list(final String prefix) throws IOException, InterruptedException {
        final JsonNode response = call("v3/kv/range", keyOnly(prefix).put("range_end", base64(prefixEnd(prefix))),
            "list " + prefix);
        final JsonNode kvs = response.path("kvs");
        final List<Entry> entries = new ArrayList<>(kvs.size());
        for (final JsonNode kv : kvs) {
            entries.add(entry(kv));
        }
        return new Listing(entries, revision(response));
    }

    /** A granted etcd lease: etcd may raise the TTL to its minimum. */
    record Grant(long leaseId, long ttlSeconds) {
    }

    Grant grant(final Duration ttl) throws IOException, InterruptedException {
        final JsonNode response = call("v3/lease/grant",
            Json.object().put("TTL", Long.toString(ttl.toSeconds())), "grant a lease");
        return new Grant(response.path("ID").asLong(), response.path("TTL").asLong());
    }

    /** Writes {@code key} only if it does not exist (create revision 0), as flannel's createSubnet. */
    boolean createIfAbsent(final String key, final String value, final long leaseId)
        throws IOException, InterruptedException {
        return writeIf(keyOnly(key).put("target", "CREATE").put("create_revision", "0"), key, value, leaseId);
    }

    /** Writes {@code key} only if nobody changed it since we read it at {@code modRevision}. */
    boolean replaceIfUnchanged(final String key, final String value, final long leaseId, final long modRevision)
        throws IOException, InterruptedException {
        return writeIf(keyOnly(key).put("target", "MOD").put("mod_revision", Long.toString(modRevision)), key, value,
            leaseId);
    }

    private boolean writeIf(final ObjectNode condition, final String key, final String value, final long leaseId)
        throws IOException, InterruptedException {
        final ObjectNode txn = Json.object();
        txn.putArray("compare").add(condition.put("result", "EQUAL"));
        txn.putArray("success").addObject().set("request_put",
            keyOnly(key).put("value", base64(value)).put("lease", Long.toString(leaseId)));
        return call("v3/kv/txn", txn, "write " + key).path("succeeded").asBoolean();
    }

    /** Renews a lease; returns its new TTL in seconds, or -1 when etcd no longer has it. */
    long keepAliveOnce(final long leaseId) throws IOException, InterruptedException {
        final JsonNode result = call("v3/lease/keepalive", leaseRequest(leaseId),
            "renew lease " + Long.toHexString(leaseId)).path("result");
        // etcd answers a lease it does not have with no TTL (0).
        final long ttl = result.path("TTL").asLong();
        return ttl > 0 ? ttl : -1;
    }

    /** Best effort: a lease we no longer use would expire anyway. */
    void revokeQuietly(final long leaseId) {
        if (!closed) {
            http.callQuietly("v3/lease/revoke", leaseRequest(leaseId));
        }
    }

    /**
     * The revision etcd answers at, if no key under {@code prefix} changed from {@code fromRevision} up to it: etcd
     * holds {@code knownKeys} keys there (a delete lowers the count) and none modified since (a put shows). Else -1.
     */
    long unchangedSince(final String prefix, final long fromRevision, final int knownKeys)
        throws IOException, InterruptedException {
        // etcd counts every key in the range and filters only the keys it returns: the keys of those modified since.
        final JsonNode answer = call("v3/kv/range", keyOnly(prefix).put("range_end", base64(prefixEnd(prefix)))
            .put("keys_only", true).put("min_mod_revision", Long.toString(fromRevision)), "count " + prefix);
        return answer.path("count").asLong() == knownKeys && answer.path("kvs").isEmpty() ? revision(answer) : -1;
    }

    /**
     * A prefix watch from {@code fromRevision}, on its own thread, ending (not silently resuming) when etcd is gone
     * or its member has no leader.
     */
    EtcdWatch watch(final String prefix, final long fromRevision, final EtcdWatch.Listener listener) {
        return EtcdWatch.start(http, prefix, fromRevision, listener);
    }

    /**
     * A request or a watch failed as if etcd were unreachable. With several members, the first such failure is most
     * likely one member going away (its connection closes under the request), and the retry goes to another: etcd is
     * called unreachable only when the retry fails too.
     */
    void onUnavailable(final Throwable cause) {
        if (failuresInARow.incrementAndGet() == 1 && severalMembers) {
            Log.info("an etcd member of " + endpoints + " failed a request (" + describe(cause) +
                "): retrying on the others");
            return;
        }
        if (unreachable.compareAndSet(false, true)) {
            Log.warn("etcd " + endpoints + " unreachable (" + describe(cause) + "): retrying with backoff" +
                unreachableHint);
        }
    }

    /** A readable cause: the gRPC status code and message, without the exception class chain. */
    static String describe(final Throwable cause) {
        if (cause instanceof HttpTimeoutException) {
            return "no answer in time";
        }
        final String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return code(cause) + ": " + message;
    }

    /** Closes the client; requests then fail with a plain IOException, so that retry loops end. */
    void close() {
        closed = true;
        http.close();
    }

    boolean isClosed() {
        return closed;
    }

    private JsonNode call(final String path, final JsonNode body, final String what)
        throws IOException, InterruptedException {
        if (closed) {
            throw new IOException("etcd registry closed during " + what);
        }
        try {
            final JsonNode answer = http.call(path, body);
            failuresInARow.set(0);
            if (unreachable.compareAndSet(true, false)) {
                stats.onReconnect();
                Log.info("etcd " + endpoints + " answers again");
            }
            return answer;
        } catch (final HttpTimeoutException e) {
            onUnavailable(e);
            throw new RetryableEtcdException("etcd " + endpoints + ": " + what + ": no answer within " + timeoutMs +
                " ms", e);
        } catch (final IOException e) {
            if (closed) {
                throw new IOException("etcd registry closed during " + what, e);
            }
            if (RETRYABLE_CODES.contains(code(e))) {
                onUnavailable(e);
                throw new RetryableEtcdException("etcd " + endpoints + ": " + what + ": " + describe(e), e);
            }
            throw new IOException("etcd " + endpoints + ": " + what + " refused: " + describe(e), e);
        }
    }

    /** etcd answered and said no, for a reason that waiting does not change (as a permission). */
    static boolean isRefusal(final Throwable failure) {
        return failure instanceof EtcdHttp.RefusedException && !RETRYABLE_CODES.contains(code(failure));
    }

    /** etcd's refusals carry gRPC's code; every other failure is "no answer", as etcd being unreachable. */
    private static String code(final Throwable cause) {
        return cause instanceof EtcdHttp.RefusedException ? ((EtcdHttp.RefusedException)cause).code() :
            "UNAVAILABLE";
    }

    static Entry entry(final JsonNode kv) {
        return new Entry(text(kv.path("key")), text(kv.path("value")), kv.path("lease").asLong(),
            kv.path("mod_revision").asLong());
    }

    /** The store's revision an answer was made at. */
    static long revision(final JsonNode response) {
        return response.path("header").path("revision").asLong();
    }

    private static ObjectNode keyOnly(final String key) {
        return Json.object().put("key", base64(key));
    }

    private static ObjectNode leaseRequest(final long leaseId) {
        return Json.object().put("ID", Long.toString(leaseId));
    }

    /** etcd's range end for every key starting with {@code prefix}: the prefix with its last character plus one. */
    static String prefixEnd(final String prefix) {
        return prefix.substring(0, prefix.length() - 1) + (char)(prefix.charAt(prefix.length() - 1) + 1);
    }

    static String base64(final String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(final JsonNode base64) {
        return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
    }
}
