package io.weft.dataplane.lane;

import static io.weft.dataplane.lane.LanePackets.forwarded;
import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.dataplane.packet.Ipv4Header;
import io.weft.dataplane.packet.TestPackets;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** UDP to TUN, driven by hand over loopback peers and a TUN stand-in: no root needed. */
@Timeout(30)
class UdpReceiverTest {
    private static final int POD_OWN = ip("10.244.1.5");
    private static final int POD_B = ip("10.244.2.7");
    private static final int POD_C = ip("10.244.3.7");

    @ParameterizedTest
    @EnumSource(Offloads.class)
    void shouldWriteADatagramFromALeasedPeerIntoTheTunWithItsTtlDecremented(final Offloads offloads)
        throws Exception {
        try (StandInLane lane = StandInLane.open(offloads)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            lane.leases(nodeB.lease);
            final UdpReceiver receiver = lane.udpReceiver();
            final byte[] packet = LanePackets.udp(200, 64, POD_B, POD_OWN);
            nodeB.send(packet, lane.publicIp, lane.port);
            lane.awaitDatagram();

            assertThat(receiver.doWork()).isEqualTo(1);

            assertThat(lane.takeWritten()).isEqualTo(forwarded(packet));
            assertThat(lane.tun.take()).isNull();
            assertThat(lane.count(DataplaneCounter.UDP_RX_RECEIVES)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.UDP_RX_PACKETS)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.UDP_RX_BYTES)).isEqualTo(200);
            assertThat(lane.count(DataplaneCounter.TUN_TX_PACKETS)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.TUN_TX_BYTES)).isEqualTo(200);
            assertThat(lane.count(DataplaneCounter.TUN_TX_WRITES)).isEqualTo(1);
            assertThat(receiver.doWork()).as("nothing left to receive").isZero();
        }
    }

    /** flannel's nodes send from the backend port, weft's from a lane's send port: the check is by address only. */
    @Test
    void shouldAcceptALeasedPeerWhicheverPortItSendsFrom() throws Exception {
        try (StandInLane lane = StandInLane.open(Offloads.NONE)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            lane.leases(nodeB.lease);
            final UdpReceiver receiver = lane.udpReceiver();
            final byte[] fromSendPort = LanePackets.udp(100, 64, POD_B, POD_OWN);
            final byte[] fromBackendPort = LanePackets.udp(120, 64, POD_B, POD_OWN);
            nodeB.send(fromSendPort, lane.publicIp, lane.port);
            nodeB.sendFromBackendPort(fromBackendPort, lane.publicIp, lane.port);
            lane.awaitDatagram();

            assertThat(receiver.doWork()).isEqualTo(2);

            assertThat(lane.takeWritten()).isEqualTo(forwarded(fromSendPort));
            assertThat(lane.takeWritten()).isEqualTo(forwarded(fromBackendPort));
        }
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
            refusal("spoofed: a pod source another node leases", "127.0.0.2", DataplaneCounter.DROP_SPOOFED_SOURCE,
                () -> LanePackets.udp(100, 64, POD_C, POD_OWN)),
            refusal("a sender without a lease", "127.0.0.9", DataplaneCounter.DROP_UNKNOWN_SENDER,
                () -> LanePackets.udp(100, 64, POD_B, POD_OWN)),
            refusal("for a pod of another node", "127.0.0.2", DataplaneCounter.DROP_NOT_FOR_THIS_NODE,
                () -> LanePackets.udp(100, 64, POD_B, POD_C)),
            refusal("TTL 1", "127.0.0.2", DataplaneCounter.DROP_TTL_EXPIRED,
                () -> LanePackets.udp(100, 1, POD_B, POD_OWN)),
            refusal("empty", "127.0.0.2", DataplaneCounter.DROP_EMPTY, () -> new byte[0]),
            refusal("shorter than an IPv4 header", "127.0.0.2", DataplaneCounter.DROP_TOO_SHORT,
                () -> Arrays.copyOf(LanePackets.udp(100, 64, POD_B, POD_OWN), 19)),
            refusal("IPv6", "127.0.0.2", DataplaneCounter.DROP_NOT_IPV4, () -> {
                final byte[] packet = LanePackets.udp(100, 64, POD_B, POD_OWN);
                packet[0] = 0x65;
                return packet;
            }),
            refusal("a header longer than the datagram", "127.0.0.2", DataplaneCounter.DROP_BAD_HEADER_LENGTH,
                () -> Arrays.copyOf(TestPackets.ipv4(Ipv4Header.PROTOCOL_UDP).ipHeaderLength(60)
                    .totalLength(60).source(POD_B).destination(POD_OWN).build(), 40)),
            refusal("bytes past the total length", "127.0.0.2", DataplaneCounter.DROP_BAD_TOTAL_LENGTH,
                () -> Arrays.copyOf(LanePackets.udp(100, 64, POD_B, POD_OWN), 104)),
            refusal("a bad header checksum", "127.0.0.2", DataplaneCounter.DROP_BAD_CHECKSUM, () -> {
                final byte[] packet = LanePackets.udp(100, 64, POD_B, POD_OWN);
                packet[10] ^= 0x01;
                return packet;
            }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void shouldCountAndNotWriteADatagramItRefuses(final String what, final String sender,
        final DataplaneCounter reason, final Supplier<byte[]> datagram) throws Exception {
        try (StandInLane lane = StandInLane.open(Offloads.NONE)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            final LoopbackPeer nodeC = lane.peer("127.0.0.3", "10.244.3.0/24");
            final LoopbackPeer stranger = lane.peer("127.0.0.9", "10.244.9.0/24");
            lane.leases(nodeB.lease, nodeC.lease);
            final UdpReceiver receiver = lane.udpReceiver();
            final LoopbackPeer from = sender.equals("127.0.0.2") ? nodeB : stranger;
            from.send(datagram.get(), lane.publicIp, lane.port);
            lane.awaitDatagram();

            assertThat(receiver.doWork()).isEqualTo(1);

            assertThat(lane.tun.take()).isNull();
            assertThat(lane.count(reason)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.UDP_RX_PACKETS)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.TUN_TX_PACKETS)).isZero();
            long drops = 0;
            for (final DataplaneCounter counter : DataplaneCounter.values()) {
                drops += counter.isDrop() ? lane.count(counter) : 0;
            }
            assertThat(drops).as("counted under one reason only").isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Offloads.class)
    void shouldWriteTheAcceptedDatagramsOfOneReceiveInOrderAndDropOnlyTheRefusedOnes(final Offloads offloads)
        throws Exception {
        try (StandInLane lane = StandInLane.open(offloads)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            final LoopbackPeer nodeC = lane.peer("127.0.0.3", "10.244.3.0/24");
            lane.leases(nodeB.lease, nodeC.lease);
            final UdpReceiver receiver = lane.udpReceiver();
            final byte[] first = LanePackets.udp(100, 64, POD_B, POD_OWN);
            final byte[] spoofed = LanePackets.udp(100, 64, POD_C, POD_OWN);
            final byte[] second = LanePackets.udp(300, 64, POD_B, POD_OWN);
            final byte[] third = LanePackets.udp(200, 64, POD_C, POD_OWN);
            nodeB.send(first, lane.publicIp, lane.port);
            nodeB.send(spoofed, lane.publicIp, lane.port);
            nodeB.send(second, lane.publicIp, lane.port);
            nodeC.send(third, lane.publicIp, lane.port);
            lane.awaitDatagram();

            assertThat(receiver.doWork()).as("one recvmmsg takes all four").isEqualTo(4);

            assertThat(lane.takeWritten()).isEqualTo(forwarded(first));
            assertThat(lane.takeWritten()).isEqualTo(forwarded(second));
            assertThat(lane.takeWritten()).isEqualTo(forwarded(third));
            assertThat(lane.tun.take()).isNull();
            assertThat(lane.count(DataplaneCounter.UDP_RX_RECEIVES)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.DROP_SPOOFED_SOURCE)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.TUN_TX_PACKETS)).isEqualTo(3);
        }
    }

    private static Arguments refusal(final String what, final String sender, final DataplaneCounter reason,
        final Supplier<byte[]> datagram) {
        return Arguments.of(what, sender, reason, datagram);
    }
}
