package io.weft.registry.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.weft.log.Log;
import io.weft.registry.Json;
import io.weft.registry.NetworkConfig;
import java.io.IOException;
import java.time.Duration;

/**
 * Waits for {@code <prefix>/config} to exist and be valid, as flanneld does at start: an operator may write it after
 * the DaemonSet started. Each distinct problem is logged once, with the key and what to do.
 */
final class NetworkConfigReader {

    private NetworkConfigReader() {
    }

    static NetworkConfig await(final EtcdCalls calls, final String key, final Duration poll)
        throws InterruptedException {
        String lastProblem = null;
        while (true) {
            String problem;
            try {
                final EtcdCalls.Entry entry = calls.get(key);
                if (entry == null) {
                    problem = "network config " + key + " not found in etcd: waiting for it, such as etcdctl put " +
                        key + " '{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"udp\"}}'";
                } else {
                    final NetworkConfig config = NetworkConfig.parse(json(entry.value()));
                    Log.info("network config " + key + ": " + config.describe());
                    return config;
                }
            } catch (final IOException e) {
                if (calls.isClosed()) {
                    throw new IllegalStateException("etcd registry closed while waiting for " + key, e);
                }
                problem = "cannot read network config " + key + ": " + e.getMessage() + "; retrying";
            } catch (final IllegalArgumentException e) {
                problem = "network config " + key + " is invalid: " + e.getMessage() + "; waiting for a valid one";
            }
            if (!problem.equals(lastProblem)) {
                Log.warn(problem);
                lastProblem = problem;
            }
            Thread.sleep(poll.toMillis());
        }
    }

    /** The config's JSON; the exception says why it is none. */
    static JsonNode json(final String value) {
        try {
            return Json.read(value);
        } catch (final JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + "): " +
                (value.length() <= 80 ? value : value.substring(0, 77) + "..."));
        }
    }
}
