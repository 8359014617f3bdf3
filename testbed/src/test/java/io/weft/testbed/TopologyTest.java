package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Two nodes, pods attached by the real bridge plugin, host-gw routes as the kernel anchor (no overlay). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TopologyTest {
    private Testbed testbed;
    private Node n1;
    private Node n2;
    private Pod a;
    private Pod b;
    private Pod c;

    @BeforeAll
    void buildTopology() {
        testbed = Testbeds.createOrSkip();
        n1 = testbed.addNode("n1", "192.168.213.1");
        n2 = testbed.addNode("n2", "192.168.213.2");
        a = n1.addPod("a", Conflists.write(testbed.runDir().resolve("cni-n1"), "10.244.1.0/24"));
        c = n1.addPod("c", Conflists.write(testbed.runDir().resolve("cni-n1"), "10.244.1.0/24"));
        b = n2.addPod("b", Conflists.write(testbed.runDir().resolve("cni-n2"), "10.244.2.0/24"));
        n1.addRoute("10.244.2.0/24", n2.ip());
        n2.addRoute("10.244.1.0/24", n1.ip());
    }

    @AfterAll
    void closeAndCheckNothingIsLeft() {
        if (testbed == null) {
            return;
        }
        List<String> made = List.of(testbed.hub().name(), n1.name(), n2.name(), a.name(), b.name(), c.name());
        testbed.close();
        assertThat(Shell.run(List.of("ip", "netns", "list")).orThrow().stdout().lines()
            .map(line -> line.split(" ")[0])).doesNotContainAnyElementsOf(made).noneMatch(n -> n.startsWith(
                testbed.prefix() + "-"));
        assertThat(testbed.runDir()).doesNotExist();
    }

    @Test
    void shouldAssignPodAddressesFromEachNodeSubnetWhenAttachedByCni() {
        assertThat(a.ip()).isEqualTo("10.244.1.2");
        assertThat(c.ip()).isEqualTo("10.244.1.3");
        assertThat(b.ip()).isEqualTo("10.244.2.2");
        assertThat(a.cniResult().firstIp().gateway()).isEqualTo("10.244.1.1");
        assertThat(a.exec("ip", "-4", "route", "show").orThrow().stdout())
            .contains("default via 10.244.1.1").contains("10.244.0.0/16 via 10.244.1.1");
        assertThat(n1.exec("ip", "link", "show", "cni0").orThrow().stdout()).contains("mtu 1472");
    }

    @Test
    void shouldPingPodOnSameNodeWhenBothAreOnCni0() {
        requirePing();
        PingResult result = Ping.run(a, c.ip(), 3);

        assertThat(result.received()).isEqualTo(3);
        assertThat(result.replyTimesMs()).hasSize(3);
    }

    @Test
    void shouldPingPodOnOtherNodeWhenHostGwRoutesAreSet() {
        requirePing();
        assertThat(Ping.run(a, b.ip(), 3).received()).isEqualTo(3);
        assertThat(Ping.run(b, c.ip(), 3).received()).isEqualTo(3);
    }

    @Test
    void shouldTransferTcpIntactWhenCrossingNodes() {
        TcpTransfer.Result result = TcpTransfer.run(a, b, 20_000_000);

        assertThat(result.intact()).as(result.sinkLog()).isTrue();
        assertThat(result.bytes()).isEqualTo(20_000_000);
        // ipMasq=true: the bridge plugin masquerades everything leaving the pod subnet, pod-to-pod too.
        assertThat(result.peer()).startsWith(n1.ip() + ":");
    }

    @Test
    void shouldMeasurePositiveThroughputWhenIperf3RunsAcrossNodes() {
        Assumptions.assumeTrue(Iperf3.isAvailable(), "needs iperf3 on PATH");
        Iperf3Result tcp = Iperf3.tcp(b, a, 2, 1);
        Iperf3Result udp = Iperf3.udp(b, a, 1, "20M", 1200);

        assertThat(tcp.protocol()).isEqualTo("TCP");
        assertThat(tcp.receivedBitsPerSecond()).isPositive();
        assertThat(udp.protocol()).isEqualTo("UDP");
        assertThat(udp.packets()).isPositive();
        assertThat(udp.receivedPackets()).isPositive();
    }

    @Test
    void shouldMasqueradePodTrafficToTheUnderlayWhenIpMasqIsOn() {
        requirePing();
        // The hub has no route to 10.244.0.0/16: a reply comes back only if n1 rewrote the source to its eth0.
        assertThat(testbed.hub().exec("ip", "route", "show").orThrow().stdout()).doesNotContain("10.244.");
        assertThat(Ping.run(a, Hub.IP, 2).received()).isEqualTo(2);
        assertThat(n1.exec("iptables", "-t", "nat", "-S", "POSTROUTING").orThrow().stdout()).contains("CNI-");
        assertThat(n1.exec("iptables-save", "-t", "nat").orThrow().stdout()).contains("-j MASQUERADE");
    }

    @Test
    void shouldCountInjectedDatagramsWhenSentFromAnotherNode() {
        UdpProbe.Counter counter = UdpProbe.startCounter(n2, 8285, 2);
        UdpProbe.send(n1, n1.ip(), n2.ip(), 8285, new byte[] {0x45, 0, 0, 20}, 5);

        assertThat(counter.awaitCount()).isEqualTo(5);
    }

    private static void requirePing() {
        Assumptions.assumeTrue(Ping.isAvailable(), "needs ping (Debian: iputils-ping)");
    }
}
