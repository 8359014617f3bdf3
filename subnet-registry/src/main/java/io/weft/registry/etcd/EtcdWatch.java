package io.weft.registry.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.registry.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One etcd watch on a prefix, read on its own thread {@code weft-etcd-watch}, which hands each answer to a listener
 * and ends with exactly one {@link Listener#onEnd}, unless closed first. etcd's gateway streams the answers as one
 * JSON object per line.
 */
final class EtcdWatch implements AutoCloseable {
    /** One change: a put (create or update) or a delete of {@code entry.key()}. */
    record Event(boolean put, EtcdCalls.Entry entry) {
    }

    /**
     * One answer: the confirmation the watch is set up ({@code created}), events, or neither (a progress
     * notification: every change up to {@code revision} was sent).
     */
    record Answer(boolean created, List<Event> events, long revision) {
    }

    /** The watch fell behind a compaction: the revisions it was to start from are gone. */
    static final class CompactedException extends IOException {
        private static final long serialVersionUID = 1L;
        private final long compactedRevision;

        CompactedException(final long compactedRevision) {
            super("compacted at revision " + compactedRevision);
            this.compactedRevision = compactedRevision;
        }

        long compactedRevision() {
            return compactedRevision;
        }
    }

    interface Listener {
        void onAnswer(Answer answer);

        /** The watch ended: {@code error} says why, null when etcd closed the stream. */
        void onEnd(Throwable error);
    }

    private final EtcdHttp http;
    private final ObjectNode request;
    private final Listener listener;
    private final Thread thread;
    private volatile InputStream stream;
    /** The token the watch was asked for with, as far as this thread can tell (a sign-in may renew it meanwhile). */
    private String signedInWith;
    private volatile boolean closed;

    private EtcdWatch(final EtcdHttp http, final ObjectNode request, final Listener listener) {
        this.http = http;
        this.request = request;
        this.listener = listener;
        this.thread = new Thread(this::run, "weft-etcd-watch");
        thread.setDaemon(true);
    }

    /** Watches keys under {@code prefix} from {@code fromRevision}, with progress notifications. */
    static EtcdWatch start(final EtcdHttp http, final String prefix, final long fromRevision,
        final Listener listener) {
        final ObjectNode create = Json.object();
        create.putObject("create_request").put("key", EtcdCalls.base64(prefix))
            .put("range_end", EtcdCalls.base64(EtcdCalls.prefixEnd(prefix)))
            .put("start_revision", Long.toString(fromRevision)).put("progress_notify", true);
        final EtcdWatch watch = new EtcdWatch(http, create, listener);
        watch.thread.start();
        return watch;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        closeStream();
    }

    private void run() {
        Throwable error = null;
        final URI endpoint = http.endpoint();
        try {
            stream = http.stream(endpoint, "v3/watch", request, true);
            signedInWith = http.token();
            if (closed) {
                closeStream();
                return;
            }
            final BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null && !closed; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                final JsonNode message = Json.read(line);
                final JsonNode result = message.path("result");
                if (!result.isObject()) {
                    error = message.has("error") ? http.refused(endpoint, message) :
                        new IOException("the watch ended: " + line);
                    break;
                }
                if (result.path("canceled").asBoolean()) {
                    error = canceled(result);
                    break;
                }
                listener.onAnswer(answer(result));
            }
        } catch (final IOException | RuntimeException e) {
            error = e;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeStream();
        }
        if (!closed) {
            if (!(error instanceof CompactedException) && !EtcdCalls.isRefusal(error)) {
                // The member went away under the watch, or lost its leader: the next request asks another.
                http.moveOn(endpoint);
            }
            listener.onEnd(error);
        }
    }

    /**
     * Why etcd canceled the watch: a compaction, or a refusal. A watch asked for with a token etcd no longer takes is
     * canceled as it is set up ("invalid auth token"), and one without the permission ("permission denied"): the
     * token is signed for again either way.
     */
    private IOException canceled(final JsonNode result) {
        final long compacted = result.path("compact_revision").asLong();
        if (compacted > 0) {
            return new CompactedException(compacted);
        }
        final String reason = result.path("cancel_reason").asText("no reason given");
        final boolean token = EtcdHttp.rejectsToken(reason);
        if (token || reason.contains("permission denied")) {
            http.forgetToken(signedInWith);
            return new EtcdHttp.RefusedException(token ? "UNAUTHENTICATED" : "PERMISSION_DENIED",
                "etcd refused the watch: " + reason);
        }
        return new EtcdHttp.RefusedException("CANCELLED", "etcd canceled the watch: " + reason);
    }

    private static Answer answer(final JsonNode result) {
        final JsonNode events = result.path("events");
        final List<Event> parsed = new ArrayList<>(events.size());
        for (final JsonNode event : events) {
            // The gateway leaves out a field at its default: PUT is type 0.
            parsed.add(new Event(!"DELETE".equals(event.path("type").asText()), EtcdCalls.entry(event.path("kv"))));
        }
        return new Answer(result.path("created").asBoolean(), parsed,
            result.path("header").path("revision").asLong());
    }

    private void closeStream() {
        final InputStream open = stream;
        if (open != null) {
            try {
                open.close();
            } catch (final IOException e) {
                // Closing ends the call; nothing is lost if that fails.
            }
        }
    }
}
