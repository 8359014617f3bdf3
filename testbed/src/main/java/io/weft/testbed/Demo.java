package io.weft.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code ./weft demo}: a throwaway etcd and two nodes joined by a veth underlay, weftd on each leasing its subnet in
 * etcd and learning the other's from it, one pod per node attached by the real CNI bridge plugin; then ping, a
 * 5-second iperf3 TCP run and the counters. Everything is torn down at the end, on
 * failure and on Ctrl-C.
 */
public final class Demo {
    private static final String SEALED = "weft_authenticated_datagrams_total{direction=\"tun_to_udp\"}";
    private static final String OPENED = "weft_authenticated_datagrams_total{direction=\"udp_to_tun\"}";

    private Demo() {
    }

    public static void main(String[] args) {
        Testbed.unavailabilityCause().ifPresent(cause -> {
            System.err.println("[demo] cannot run: " + cause);
            System.exit(1);
        });
        int status = 0;
        try (Testbed testbed = Testbed.create()) {
            step("run " + testbed.prefix() + ": underlay bridge 192.168.213.0/24 in namespace " + testbed.hub().name());
            step("starting etcd at http://" + Hub.IP + ":" + Etcd.CLIENT_PORT + " with the network config "
                + OverlayCluster.NETWORK_CONFIG + ", then weftd on n1 (192.168.213.1) and n2 (192.168.213.2);"
                + " each leases a subnet in etcd, then gets a pod attached by the CNI bridge plugin with the conflist"
                + " weftd wrote");
            OverlayCluster cluster = OverlayCluster.start(testbed, 2, List.of());
            step("leases in etcd: " + cluster.etcd().keys(OverlayCluster.ETCD_PREFIX + "/subnets/"));
            Pod a = cluster.pod(1);
            Pod b = cluster.pod(2);
            step("pod " + a.name() + " = " + a.ip() + ", pod " + b.name() + " = " + b.ip());
            show("n1 routes", cluster.node(1).exec("ip", "route").stdout());
            show("n1 subnet.env", read(cluster.subnetFile(cluster.node(1))));

            step("ping " + a.ip() + " -> " + b.ip() + " (20 packets)");
            PingResult there = Ping.run(a, b.ip(), 20);
            step("ping " + b.ip() + " -> " + a.ip() + " (20 packets)");
            PingResult back = Ping.run(b, a.ip(), 20);
            if (there.received() == 0 || back.received() == 0) {
                throw new TestbedException("ping failed: " + there + " / " + back);
            }

            step("iperf3 TCP, 5 seconds, " + a.ip() + " -> " + b.ip());
            Iperf3Result tcp = Iperf3.tcp(b, a, 5, 1);

            Map<String, Number> n1 = cluster.weftd(1).metrics();
            Map<String, Number> n2 = cluster.weftd(2).metrics();
            show("counters of weftd on n1", counters(n1));
            show("counters of weftd on n2", counters(n2));
            step("authentication (the default with etcd): n1 sealed " + n1.getOrDefault(SEALED, 0) + " datagrams"
                + " and opened " + n1.getOrDefault(OPENED, 0) + ", n2 sealed " + n2.getOrDefault(SEALED, 0)
                + " and opened " + n2.getOrDefault(OPENED, 0));
            step(String.format("result: ping %d/%d and %d/%d replies, latency p50 %.3f ms, p99 %.3f ms;"
                    + " iperf3 TCP %.2f Gbit/s received, %d retransmits",
                there.received(), there.transmitted(), back.received(), back.transmitted(),
                there.percentileMs(50), there.percentileMs(99), tcp.receivedGbitsPerSecond(), tcp.retransmits()));
            step("tearing down (weftd stops, flannel0 stays for a next weftd; the namespaces take it with them)");
        } catch (RuntimeException e) {
            System.err.println("[demo] failed: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    private static String counters(Map<String, Number> metrics) {
        StringBuilder text = new StringBuilder();
        metrics.forEach((series, value) -> {
            if (value.doubleValue() != 0) {
                text.append(series).append(' ').append(value).append('\n');
            }
        });
        return text.toString();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    private static void step(String message) {
        System.out.println("[demo] " + message);
    }

    private static void show(String title, String body) {
        System.out.println("[demo] " + title + ":");
        body.lines().forEach(line -> System.out.println("         " + line));
    }
}
