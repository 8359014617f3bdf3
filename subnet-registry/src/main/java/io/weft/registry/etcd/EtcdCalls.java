package io.weft.registry.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.grpc.Status;
import io.weft.log.Log;
import io.weft.registry.RegistryStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

    private final Client client;
    private final long timeoutNs;
    private final RegistryStats stats;
    private final String endpoints;
    private final boolean severalMembers;
    private final AtomicBoolean unreachable = new AtomicBoolean();
    /** Requests (and watches) failed since etcd last answered. */
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private volatile boolean closed;

    EtcdCalls(final Client client, final Duration timeout, final RegistryStats stats, final List<String> endpoints) {
        this.client = client;
        this.timeoutNs = timeout.toNanos();
        this.stats = stats;
        this.endpoints = String.join(",", endpoints);
        this.severalMembers = endpoints.size() > 1;
    }

    /** One key-value pair as the registry needs it; {@code leaseId} 0 means no etcd lease (a reservation). */
    record Entry(String key, String value, long leaseId, long modRevision) {
    }

    /** Keys under a prefix, as of {@code revision}. */
    record Listing(List<Entry> entries, long revision) {
    }

    /** The entry at {@code key}, or null. */
    Entry get(final String key) throws IOException, InterruptedException {
        final List<KeyValue> kvs = await(client.getKVClient().get(bytes(key)), "get " + key).getKvs();
        return kvs.isEmpty() ? null : entry(kvs.get(0));
    }

    Listing list(final String prefix) throws IOException, InterruptedException {
        final GetResponse response = await(client.getKVClient().get(bytes(prefix),
            GetOption.builder().isPrefix(true).build()), "list " + prefix);
        final List<Entry> entries = new ArrayList<>(response.getKvs().size());
        for (final KeyValue kv : response.getKvs()) {
            entries.add(entry(kv));
        }
        return new Listing(entries, response.getHeader().getRevision());
    }

    /** A granted etcd lease: etcd may raise the TTL to its minimum. */
    record Grant(long leaseId, long ttlSeconds) {
    }

    Grant grant(final Duration ttl) throws IOException, InterruptedException {
        final LeaseGrantResponse response = await(client.getLeaseClient().grant(ttl.toSeconds()), "grant a lease");
        return new Grant(response.getID(), response.getTTL());
    }

    /** Writes {@code key} only if it does not exist (create revision 0), as flannel's createSubnet. */
    boolean createIfAbsent(final String key, final String value, final long leaseId)
        throws IOException, InterruptedException {
        return writeIf(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.createRevision(0)), key, value, leaseId);
    }

    /** Writes {@code key} only if nobody changed it since we read it at {@code modRevision}. */
    boolean replaceIfUnchanged(final String key, final String value, final long leaseId, final long modRevision)
        throws IOException, InterruptedException {
        return writeIf(new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision)), key, value, leaseId);
    }

    private boolean writeIf(final Cmp condition, final String key, final String value, final long leaseId)
        throws IOException, InterruptedException {
        final Op put = Op.put(bytes(key), bytes(value), PutOption.builder().withLeaseId(leaseId).build());
        return await(client.getKVClient().txn().If(condition).Then(put).commit(), "write " + key).isSucceeded();
    }

    /** Renews a lease; returns its new TTL in seconds, or -1 when etcd no longer has it. */
    long keepAliveOnce(final long leaseId) throws IOException, InterruptedException {
        try {
            return await(client.getLeaseClient().keepAliveOnce(leaseId), "renew lease " + Long.toHexString(leaseId))
                .getTTL();
        } catch (final IOException e) {
            if (e.getCause() instanceof EtcdException && "NOT_FOUND".equals(code(e.getCause()))) {
                return -1;
            }
            throw e;
        }
    }

    /** Best effort: a lease we no longer use would expire anyway. */
    void revokeQuietly(final long leaseId) {
        client.getLeaseClient().revoke(leaseId).exceptionally(e -> null);
    }

    /** A prefix watch from {@code fromRevision}, failing (not silently resuming) when its leader is gone. */
    Watch.Watcher watch(final String prefix, final long fromRevision, final Watch.Listener listener) {
        return client.getWatchClient().watch(bytes(prefix), WatchOption.builder().isPrefix(true)
            .withRevision(fromRevision).withRequireLeader(true).withCreateNotify(true).build(), listener);
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
            Log.warn("etcd " + endpoints + " unreachable (" + describe(cause) + "): retrying with backoff");
        }
    }

    /** A readable cause: the gRPC status code and message, without the exception class chain. */
    static String describe(final Throwable failure) {
        final Throwable cause = unwrap(failure);
        if (cause instanceof TimeoutException) {
            return "no answer in time";
        }
        final String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        final String code = code(cause);
        // gRPC's own messages start with the code already.
        return message.startsWith(code) ? message : code + ": " + message;
    }

    static String key(final ByteSequence key) {
        return key.toString(StandardCharsets.UTF_8);
    }

    /** Closes the client; requests then fail with a plain IOException, so that retry loops end. */
    void close() {
        closed = true;
        client.close();
    }

    boolean isClosed() {
        return closed;
    }

    private <T> T await(final CompletableFuture<T> future, final String what) throws IOException, InterruptedException {
        if (closed) {
            throw new IOException("etcd registry closed during " + what);
        }
        try {
            final T result = future.get(timeoutNs, TimeUnit.NANOSECONDS);
            failuresInARow.set(0);
            if (unreachable.compareAndSet(true, false)) {
                stats.onReconnect();
                Log.info("etcd " + endpoints + " answers again");
            }
            return result;
        } catch (final TimeoutException e) {
            future.cancel(true);
            onUnavailable(e);
            throw new RetryableEtcdException("etcd " + endpoints + ": " + what + ": no answer within " +
                TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms", e);
        } catch (final ExecutionException e) {
            final Throwable cause = unwrap(e);
            if (closed) {
                throw new IOException("etcd registry closed during " + what, cause);
            }
            if (RETRYABLE_CODES.contains(code(cause))) {
                onUnavailable(cause);
                throw new RetryableEtcdException("etcd " + endpoints + ": " + what + ": " + describe(cause), cause);
            }
            throw new IOException("etcd " + endpoints + ": " + what + " refused: " + describe(cause), cause);
        }
    }

    private static Throwable unwrap(final Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof ExecutionException || cause instanceof java.util.concurrent.CompletionException) &&
            cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String code(final Throwable cause) {
        if (cause instanceof EtcdException) {
            return ((EtcdException)cause).getErrorCode().name();
        }
        return Status.fromThrowable(cause).getCode().name();
    }

    private static Entry entry(final KeyValue kv) {
        return new Entry(key(kv.getKey()), kv.getValue().toString(StandardCharsets.UTF_8), kv.getLease(),
            kv.getModRevision());
    }

    static ByteSequence bytes(final String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }
}
