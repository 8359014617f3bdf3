package io.weft.bench;

import io.weft.testbed.ExecResult;
import io.weft.testbed.Pod;
import io.weft.testbed.Testbed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One variant's two-node cluster in its own {@link Testbed}: pod 1 on node 1 talks to pod 2 on node 2. The dataplane
 * pids are the user-space processes that carry the traffic (weftd), empty for kernel dataplanes. Closing it tears the
 * whole testbed down.
 */
record Topology(Testbed testbed, Pod pod1, Pod pod2, List<Long> dataplanePids) implements AutoCloseable {

    private static final Duration ROUTE_TIMEOUT = Duration.ofSeconds(10);

    Topology {
        dataplanePids = List.copyOf(dataplanePids);
    }

    /**
     * Makes every TCP connection of both pods use {@code algorithm}, whatever the machine's default and its allowed
     * list: each route of the pod gets the route metric {@code congctl}, which the kernel applies to every
     * connection the route carries, both ways. The per-namespace default (sysctl net.ipv4.tcp_congestion_control)
     * would not do: outside the initial namespace the kernel lets it name only algorithms in the machine's
     * net.ipv4.tcp_allowed_congestion_control, even for root, whereas root may put any available one on a route.
     * An algorithm the kernel cannot load fails here, naming it; nothing outside the pods changes.
     */
    void useTcpCongestionControl(String algorithm) {
        for (Pod pod : List.of(pod1, pod2)) {
            for (String route : routes(pod)) {
                List<String> command = new ArrayList<>(List.of("ip", "route", "replace"));
                command.addAll(withoutCongestionControl(route));
                command.addAll(List.of("congctl", algorithm));
                ExecResult set = pod.exec(ROUTE_TIMEOUT, command);
                if (!set.ok()) {
                    throw new IllegalStateException("cannot make " + pod + " use TCP congestion control '" + algorithm
                        + "' (available: " + pod.exec("sysctl", "-n", "net.ipv4.tcp_available_congestion_control")
                        .stdout().trim() + "): " + String.join(" ", command) + ": " + set.stderr().trim());
                }
            }
        }
    }

    private static List<String> routes(Pod pod) {
        List<String> routes = pod.exec("ip", "-o", "-4", "route", "show", "table", "main").orThrow().stdout().lines()
            .map(String::trim).filter(line -> !line.isEmpty()).toList();
        if (routes.isEmpty()) {
            throw new IllegalStateException(pod + " has no IPv4 routes to set a congestion control on");
        }
        return routes;
    }

    /** The route's own words, for {@code ip route replace}: without a congctl set before and without status flags. */
    static List<String> withoutCongestionControl(String route) {
        List<String> words = new ArrayList<>(Arrays.asList(route.trim().split("\\s+")));
        int congctl = words.indexOf("congctl");
        if (congctl >= 0) {
            int end = congctl + 1 < words.size() && "lock".equals(words.get(congctl + 1)) ? congctl + 3 : congctl + 2;
            words.subList(congctl, Math.min(end, words.size())).clear();
        }
        words.removeAll(List.of("linkdown", "dead"));
        return words;
    }

    @Override
    public void close() {
        testbed.close();
    }
}
