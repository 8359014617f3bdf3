package io.weft.registry.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.log.Log;
import io.weft.log.OncePerKeyLog;
import io.weft.registry.NetworkConfig;
import io.weft.registry.NetworkConfigChange;
import io.weft.registry.RegistryStats;
import io.weft.routing.Ipv4Prefix;
import java.util.List;
import java.util.function.Supplier;

/**
 * Follows {@code <prefix>/config} while weftd runs, on the lease watcher's thread: applies what a written config
 * changes that can be applied live, and says loudly what cannot ({@link NetworkConfigChange}): one warning per
 * distinct set of pending keys, and the set in {@link RegistryStats#configChangesPending()} for /metrics and /readyz.
 * A config that cannot be used (not JSON, invalid, deleted) changes nothing: it is counted and logged once, and the
 * node keeps the config it runs with.
 */
final class ConfigFollower {
    private final String configKey;
    private final RegistryStats stats;
    private final OncePerKeyLog log;
    private final Supplier<Ipv4Prefix> ownSubnet;
    private NetworkConfig applied;
    /** The mod revision of the config last read: the snapshot after a lost watch reads it again. */
    private long revision;

    ConfigFollower(final String configKey, final NetworkConfig initial, final RegistryStats stats,
        final OncePerKeyLog log, final Supplier<Ipv4Prefix> ownSubnet) {
        this.configKey = configKey;
        this.applied = initial;
        this.stats = stats;
        this.log = log;
        this.ownSubnet = ownSubnet;
    }

    /** The config the node runs with: leases are read against it. */
    NetworkConfig applied() {
        return applied;
    }

    /**
     * The config as written at {@code modRevision}; {@code value} null when it was deleted.
     *
     * @return true when the applied config changed.
     */
    boolean onWritten(final String value, final long modRevision) {
        if (modRevision == revision) {
            return false;
        }
        revision = modRevision;
        final NetworkConfigChange change;
        final boolean holdsOurs;
        try {
            if (value == null) {
                throw new IllegalArgumentException("it was deleted");
            }
            final JsonNode json = NetworkConfigReader.json(value);
            if (json != null && json.isObject() && !"udp".equals(NetworkConfig.backendType(json))) {
                change = NetworkConfigChange.unsupportedBackend(applied);
                holdsOurs = true;
            } else {
                final NetworkConfig written = NetworkConfig.parse(json);
                final Ipv4Prefix ours = ownSubnet.get();
                change = NetworkConfigChange.of(applied, written, ours);
                holdsOurs = ours == null || written.network().contains(ours.address());
            }
        } catch (final IllegalArgumentException e) {
            log.warn(configKey, "network config " + configKey + " cannot be used: " + e.getMessage() + "; keeping " +
                applied.describe());
            stats.onInvalidConfig();
            return false;
        }
        log.clear(configKey);
        report(change.pending(), holdsOurs, value);
        if (change.applied().equals(applied)) {
            return false;
        }
        Log.info("network config " + configKey + " changed: applying " + change.applied().describe() + " (was " +
            applied.describe() + ")");
        applied = change.applied();
        return true;
    }

    private void report(final List<String> pending, final boolean holdsOurs, final String written) {
        if (pending.equals(stats.configChangesPending())) {
            return;
        }
        stats.configChangesPending(pending);
        if (pending.isEmpty()) {
            Log.info("network config " + configKey + ": nothing waits for a restart any more");
            return;
        }
        final StringBuilder why = new StringBuilder();
        for (final String key : pending) {
            final String reason = switch (key) {
                case NetworkConfigChange.NETWORK -> holdsOurs ? "; Network: it waits for SubnetLen" :
                    "; Network: it no longer holds this node's subnet";
                case NetworkConfigChange.SUBNET_LEN -> "; SubnetLen: this node's subnet, flannel0, cni0 and its pods " +
                    "keep the old length (a restarted node leases a new subnet: its pods must be made again)";
                case NetworkConfigChange.BACKEND_PORT -> "; Backend.Port: the UDP sockets stay on port " +
                    applied.backendPort() + " (restart every node together: nodes on different ports cannot reach " +
                    "each other)";
                default -> "; Backend.Type: weftd implements the udp backend only";
            };
            why.append(reason);
        }
        Log.warn("network config " + configKey + " changed " + String.join(", ", pending) + " in a way a running " +
            "weftd cannot apply" + why + "; it runs on with " + applied.describe() + " and /readyz says 503 " +
            "until restarted. Written: " + (written.length() <= 200 ? written : written.substring(0, 197) + "..."));
    }
}
