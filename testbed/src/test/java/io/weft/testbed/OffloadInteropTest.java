package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * On the wire a weft node with offloads (TUN TSO, UDP GSO and GRO, several lanes) looks like a flannel udp node: one
 * IP packet per datagram to port 8285. Node 1 runs weftd as shipped; node 2 runs it the flannel way, one lane and no
 * offloads, so it sends one packet per send and takes only single-packet datagrams. Traffic must pass both ways.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OffloadInteropTest {
    private static final List<String> FLANNEL_STYLE_ARGS = List.of("--lanes=1", "--offload=off", "--batch=1");
    private static final String TUN_TSO = "weft_offload_enabled{offload=\"tun_tso\"}";
    private static final String UDP_SENDS = "weft_syscalls_total{call=\"udp_send\"}";
    private static final String SENT = "weft_packets_total{direction=\"tun_to_udp\",stage=\"sent\"}";
    private static final String TUN_WRITES = "weft_syscalls_total{call=\"tun_write\"}";
    private static final String WRITTEN = "weft_packets_total{direction=\"udp_to_tun\",stage=\"written\"}";
    private static final String PARTIAL_CHECKSUMS = "weft_partial_checksums_total{direction=\"tun_to_udp\"}";
    private static final long TRANSFER_BYTES = 100L << 20;

    private Testbed testbed;
    private OverlayCluster cluster;
    private Pod offloadPod;
    private Pod flannelStylePod;

    @BeforeAll
    void startCluster() {
        testbed = Testbeds.createOrSkip();
        cluster = OverlayCluster.startStatic(testbed, List.of(List.of(), FLANNEL_STYLE_ARGS));
        offloadPod = cluster.pod(1);
        flannelStylePod = cluster.pod(2);
    }

    @AfterAll
    void tearDown() {
        Testbeds.closeIfCreated(testbed);
    }

    @Test
    void shouldReportTunTsoOnOnlyWhenWeftdRunsAsShipped() {
        assertThat(cluster.weftd(1).metrics()).containsEntry(TUN_TSO, 1L);
        assertThat(cluster.weftd(2).metrics()).containsEntry(TUN_TSO, 0L);
    }

    @Test
    void shouldCarry100MegabytesIntactToTheFlannelStyleNodeWhenSentWithUdpGso() {
        Map<String, Number> before = cluster.weftd(1).metrics();
        TcpTransfer.Result result = TcpTransfer.run(offloadPod, flannelStylePod, TRANSFER_BYTES);
        Map<String, Number> after = cluster.weftd(1).metrics();

        assertThat(result.intact()).as(result.report()).isTrue();
        assertThat(result.bytes()).isEqualTo(TRANSFER_BYTES);
        long sends = delta(before, after, UDP_SENDS);
        long sent = delta(before, after, SENT);
        assertThat(sent).as("datagrams sent").isGreaterThanOrEqualTo(TRANSFER_BYTES / 1500);
        assertThat(sends * 4).as("%d sends carried %d datagrams: UDP GSO, several per send", sends, sent)
            .isLessThan(sent);
        assertThat(delta(before, after, PARTIAL_CHECKSUMS)).as("its lease does not say it takes partial checksums")
            .isZero();
    }

    @Test
    void shouldCarry100MegabytesIntactFromTheFlannelStyleNodeWhenItSendsOnePacketPerDatagram() {
        Map<String, Number> senderBefore = cluster.weftd(2).metrics();
        Map<String, Number> receiverBefore = cluster.weftd(1).metrics();
        TcpTransfer.Result result = TcpTransfer.run(flannelStylePod, offloadPod, TRANSFER_BYTES);
        Map<String, Number> senderAfter = cluster.weftd(2).metrics();
        Map<String, Number> receiverAfter = cluster.weftd(1).metrics();

        assertThat(result.intact()).as(result.report()).isTrue();
        assertThat(result.bytes()).isEqualTo(TRANSFER_BYTES);
        assertThat(delta(senderBefore, senderAfter, UDP_SENDS)).as("one send per datagram, as flannel")
            .isGreaterThanOrEqualTo(delta(senderBefore, senderAfter, SENT));
        long writes = delta(receiverBefore, receiverAfter, TUN_WRITES);
        long written = delta(receiverBefore, receiverAfter, WRITTEN);
        assertThat(writes).as("%d TUN writes carried %d packets: GRO merged single-packet datagrams", writes, written)
            .isLessThan(written);
    }

    @Test
    void shouldPingBothWaysBetweenTheOffloadNodeAndTheFlannelStyleNode() {
        assertThat(Ping.run(offloadPod, flannelStylePod.ip(), 5).received()).isEqualTo(5);
        assertThat(Ping.run(flannelStylePod, offloadPod.ip(), 5).received()).isEqualTo(5);
    }

    private static long delta(Map<String, Number> before, Map<String, Number> after, String series) {
        assertThat(after).as("metrics have " + series).containsKey(series);
        return after.get(series).longValue() - before.getOrDefault(series, 0L).longValue();
    }
}
