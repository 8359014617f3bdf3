package io.weft.dataplane.node;

import io.weft.dataplane.lane.DataplaneCounters;
import io.weft.dataplane.lane.LaneResources;
import io.weft.dataplane.lane.RouteUpdater;
import io.weft.registry.NetworkConfigChange;
import io.weft.registry.RegistryStats;
import java.util.List;

/** Everything /metrics shows: the lanes' counters, the offloads in use, the control side (leases, watch, renewals). */
final class ControlMetrics {
    private final List<DataplaneCounters> lanes;
    private final RegistryStats registry;
    private volatile LaneResources.OffloadStatus offloads;
    private volatile RouteUpdater routeUpdater;
    private volatile KernelQueueDrops kernelQueues;
    /** Written by the daemon's main thread only. */
    private volatile long devicesMadeAgain;
    private volatile long routesAddedAgain;

    ControlMetrics(final List<DataplaneCounters> lanes, final RegistryStats registry) {
        this.lanes = lanes;
        this.registry = registry;
    }

    void offloads(final LaneResources.OffloadStatus status) {
        offloads = status;
    }

    void routeUpdater(final RouteUpdater updater) {
        routeUpdater = updater;
    }

    void kernelQueues(final KernelQueueDrops drops) {
        kernelQueues = drops;
    }

    /** flannel0 was deleted under weftd and made again. */
    void deviceMadeAgain() {
        devicesMadeAgain++;
    }

    /** The overlay route had gone (flannel0 set down and up again) and was added again. */
    void routeAddedAgain() {
        routesAddedAgain++;
    }

    String toPrometheusText() {
        final StringBuilder text = new StringBuilder(DataplaneCounters.toPrometheusText(lanes));
        text.append("# TYPE weft_build_info gauge\nweft_build_info{version=\"").append(WeftdVersion.VERSION)
            .append("\"} 1\n");
        text.append("# TYPE weft_lanes gauge\nweft_lanes ").append(lanes.size()).append('\n')
            .append("# TYPE weft_tun_repairs_total counter\n")
            .append("weft_tun_repairs_total{repair=\"device\"} ").append(devicesMadeAgain).append('\n')
            .append("weft_tun_repairs_total{repair=\"route\"} ").append(routesAddedAgain).append('\n');
        final LaneResources.OffloadStatus status = offloads;
        if (status != null) {
            text.append(status.toPrometheusText());
        }
        final RouteUpdater updater = routeUpdater;
        if (updater != null) {
            text.append(updater.toPrometheusText());
        }
        final KernelQueueDrops queues = kernelQueues;
        if (queues != null) {
            text.append(queues.toPrometheusText());
        }
        text.append("# TYPE weft_registry_watch_restarts_total counter\n")
            .append("weft_registry_watch_restarts_total ").append(registry.watchRestarts()).append('\n')
            .append("# TYPE weft_registry_renewals_total counter\n")
            .append("weft_registry_renewals_total{result=\"ok\"} ").append(registry.renewalsOk()).append('\n')
            .append("weft_registry_renewals_total{result=\"failed\"} ").append(registry.renewalsFailed()).append('\n')
            .append("# TYPE weft_registry_reconnects_total counter\n")
            .append("weft_registry_reconnects_total ").append(registry.reconnects()).append('\n')
            .append("# TYPE weft_registry_skipped_entries_total counter\n")
            .append("weft_registry_skipped_entries_total ").append(registry.skippedEntries()).append('\n')
            .append("# TYPE weft_registry_invalid_configs_total counter\n")
            .append("weft_registry_invalid_configs_total ").append(registry.invalidConfigs()).append('\n')
            .append("# TYPE weft_config_changes_pending gauge\n");
        final List<String> pending = registry.configChangesPending();
        for (final String key : NetworkConfigChange.KEYS) {
            text.append("weft_config_changes_pending{key=\"").append(key).append("\"} ")
                .append(pending.contains(key) ? 1 : 0).append('\n');
        }
        return text.toString();
    }

    /**
     * Why /readyz says 503, or null for 200: not forwarding, or forwarding with a network config that differs from
     * the one weftd runs in a way it can only apply when restarted.
     */
    String unreadiness(final boolean forwarding) {
        if (!forwarding) {
            return "not forwarding";
        }
        final List<String> pending = registry.configChangesPending();
        return pending.isEmpty() ? null : "forwarding, but the network config changed " + String.join(", ", pending) +
            ", which weftd applies only when restarted (see its log)";
    }
}
