package io.weft.dataplane.lane;

import static io.weft.dataplane.lane.LanePackets.forwarded;
import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.dataplane.packet.Ipv4Header;
import io.weft.dataplane.packet.TestPackets;
import io.weft.dataplane.packet.VirtioNetHeader;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TUN to UDP, driven by hand over a TUN stand-in and loopback peers: no root needed. */
@Timeout(30)
class TunReaderTest {
    private static final int POD_OWN = ip("10.244.1.5");
    private static final int POD_B = ip("10.244.2.7");
    private static final int POD_C = ip("10.244.3.7");
    private static final int MSS = 1000;

    @ParameterizedTest
    @EnumSource(Offloads.class)
    void shouldSendARoutedPacketToItsPeerUnchangedButForTtlAndChecksum(final Offloads offloads) throws Exception {
        try (StandInLane lane = StandInLane.open(offloads)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            lane.leases(nodeB.lease);
            final TunReader reader = lane.tunReader();
            final byte[] packet = LanePackets.udp(300, 64, POD_OWN, POD_B);
            lane.tun.put(lane.asRead(packet));

            assertThat(reader.doWork()).isEqualTo(1);

            assertThat(nodeB.receive()).isEqualTo(forwarded(packet));
            assertThat(lane.count(DataplaneCounter.TUN_RX_PACKETS)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.TUN_RX_BYTES)).isEqualTo(300);
            assertThat(lane.count(DataplaneCounter.UDP_TX_PACKETS)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.UDP_TX_BYTES)).isEqualTo(300);
            assertThat(lane.count(DataplaneCounter.UDP_TX_SENDS)).isEqualTo(1);
            assertThat(reader.doWork()).as("nothing left to read").isZero();
            assertThat(nodeB.poll()).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Offloads.class)
    void shouldAnswerNetUnreachableIntoTheTunWhenNoLeaseCoversTheDestination(final Offloads offloads)
        throws Exception {
        try (StandInLane lane = StandInLane.open(offloads)) {
            lane.leases();
            final TunReader reader = lane.tunReader();
            final byte[] packet = LanePackets.udp(100, 64, POD_OWN, ip("10.244.9.9"));
            lane.tun.put(lane.asRead(packet));

            assertThat(reader.doWork()).isEqualTo(1);

            final byte[] reply = lane.takeWritten();
            assertThat(reply).isNotNull();
            assertThat(reply[9]).as("ICMP").isEqualTo((byte)Ipv4Header.PROTOCOL_ICMP);
            assertThat(TestPackets.getInt(reply, 12)).isEqualTo(StandInLane.ICMP_SOURCE);
            assertThat(TestPackets.getInt(reply, 16)).isEqualTo(POD_OWN);
            assertThat(TestPackets.checksumVerifies(reply, 0, 20)).isTrue();
            assertThat(new byte[] {reply[20], reply[21]}).as("type 3 code 0: net unreachable").containsExactly(3, 0);
            assertThat(TestPackets.checksumVerifies(reply, 20, reply.length - 20)).isTrue();
            assertThat(Arrays.copyOfRange(reply, 28, reply.length)).as("the offending header and 8 bytes")
                .isEqualTo(Arrays.copyOf(packet, 28));
            assertThat(lane.tun.take()).isNull();
            assertThat(lane.count(DataplaneCounter.DROP_NO_ROUTE)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.ICMP_UNREACHABLE_SENT)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.UDP_TX_PACKETS)).isZero();
        }
    }

    @Test
    void shouldDropAndCountWhenTheRouteLeadsBackToThisNode() throws Exception {
        try (StandInLane lane = StandInLane.open(Offloads.NONE)) {
            lane.leases();
            final TunReader reader = lane.tunReader();
            lane.tun.put(LanePackets.udp(100, 64, POD_B, ip("10.244.1.9")));

            assertThat(reader.doWork()).isEqualTo(1);

            assertThat(lane.count(DataplaneCounter.DROP_ROUTE_TO_SELF)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.UDP_TX_PACKETS)).isZero();
            assertThat(lane.tun.take()).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Offloads.class)
    void shouldDropAndCountWhenTheTtlRunsOut(final Offloads offloads) throws Exception {
        try (StandInLane lane = StandInLane.open(offloads)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            lane.leases(nodeB.lease);
            final TunReader reader = lane.tunReader();
            lane.tun.put(lane.asRead(LanePackets.udp(100, 1, POD_OWN, POD_B)));

            assertThat(reader.doWork()).isEqualTo(1);

            assertThat(lane.count(DataplaneCounter.DROP_TUN_TTL_EXPIRED)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.UDP_TX_PACKETS)).isZero();
            assertThat(nodeB.poll()).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Offloads.class)
    void shouldDropAndCountWhenAReadIsNotIpv4(final Offloads offloads) throws Exception {
        try (StandInLane lane = StandInLane.open(offloads)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            lane.leases(nodeB.lease);
            final TunReader reader = lane.tunReader();
            final byte[] ipv6 = new byte[60];
            ipv6[0] = 0x60;
            lane.tun.put(lane.asRead(ipv6));
            lane.tun.put(lane.asRead(new byte[12]));

            assertThat(reader.doWork()).isEqualTo(2);

            assertThat(lane.count(DataplaneCounter.DROP_TUN_NOT_IPV4)).isEqualTo(2);
            assertThat(lane.count(DataplaneCounter.UDP_TX_PACKETS)).isZero();
            assertThat(nodeB.poll()).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Offloads.class)
    void shouldSendEveryPacketOfADrainInReadOrderWithOneSendmmsg(final Offloads offloads) throws Exception {
        try (StandInLane lane = StandInLane.open(offloads)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            final LoopbackPeer nodeC = lane.peer("127.0.0.3", "10.244.3.0/24");
            lane.leases(nodeB.lease, nodeC.lease);
            final TunReader reader = lane.tunReader();
            // Runs of the same size to one peer (which UDP GSO may join), then other sizes and the other peer.
            final int[] lengths = {500, 500, 500, 200, 500, 500, 400, 500};
            final int[] pods = {POD_B, POD_B, POD_B, POD_B, POD_C, POD_B, POD_B, POD_C};
            final byte[][] packets = new byte[lengths.length][];
            for (int i = 0; i < packets.length; i++) {
                packets[i] = LanePackets.udp(lengths[i], 64, POD_OWN, pods[i]);
                packets[i][20] = (byte)i;
                lane.tun.put(lane.asRead(packets[i]));
            }

            assertThat(reader.doWork()).isEqualTo(packets.length);

            for (int i = 0; i < packets.length; i++) {
                final LoopbackPeer peer = pods[i] == POD_B ? nodeB : nodeC;
                assertThat(peer.receive()).as("packet %d", i).isEqualTo(forwarded(packets[i]));
            }
            assertThat(nodeB.poll()).isNull();
            assertThat(nodeC.poll()).isNull();
            assertThat(lane.count(DataplaneCounter.TUN_RX_READS)).isEqualTo(packets.length);
            assertThat(lane.count(DataplaneCounter.UDP_TX_SENDS)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.UDP_TX_PACKETS)).isEqualTo(packets.length);
        }
    }

    @Test
    void shouldReadAtMostTheBatchLimitInOneDrain() throws Exception {
        try (StandInLane lane = StandInLane.open(Offloads.NONE)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            lane.leases(nodeB.lease);
            final TunReader reader = lane.tunReader();
            final int count = TunReader.BATCH_LIMIT + 3;
            for (int i = 0; i < count; i++) {
                final byte[] packet = LanePackets.udp(60, 64, POD_OWN, POD_B);
                packet[20] = (byte)i;
                lane.tun.put(packet);
            }

            assertThat(reader.doWork()).isEqualTo(TunReader.BATCH_LIMIT);
            assertThat(reader.doWork()).isEqualTo(3);
            assertThat(reader.doWork()).isZero();

            for (int i = 0; i < count; i++) {
                assertThat(nodeB.receive()[20]).as("packet %d, in order", i).isEqualTo((byte)i);
            }
            assertThat(lane.count(DataplaneCounter.UDP_TX_PACKETS)).isEqualTo(count);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Offloads.class, names = {"TUN_ONLY", "ALL"})
    void shouldCutASuperPacketIntoTheSegmentsTheKernelWouldHaveSent(final Offloads offloads) throws Exception {
        try (StandInLane lane = StandInLane.open(offloads)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            lane.leases(nodeB.lease);
            final TunReader reader = lane.tunReader();
            final int payload = 5 * MSS + 300;
            final byte[] superPacket = LanePackets.tcpSuperPacket(POD_OWN, POD_B, 64, MSS, payload);
            lane.tun.put(superPacket);

            assertThat(reader.doWork()).isEqualTo(1);

            assertSegments(nodeB, superPacket, 6);
            assertThat(nodeB.poll()).isNull();
            assertThat(lane.count(DataplaneCounter.TUN_RX_PACKETS)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.UDP_TX_PACKETS)).isEqualTo(6);
            assertThat(lane.count(DataplaneCounter.UDP_TX_BYTES))
                .isEqualTo(payload + 6L * LanePackets.IP_AND_TCP_HEADERS);
        }
    }

    /**
     * Two super-packets of three full segments each: with UDP GSO the second continues the run the first left open
     * (one sendmmsg for both, at the end of the drain); without, each leaves as soon as it is cut.
     */
    @ParameterizedTest
    @EnumSource(value = Offloads.class, names = {"TUN_ONLY", "ALL"})
    void shouldContinueTheRunTheLastSuperPacketLeftOpenWhenSendingWithGso(final Offloads offloads) throws Exception {
        try (StandInLane lane = StandInLane.open(offloads)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            lane.leases(nodeB.lease);
            final TunReader reader = lane.tunReader();
            final byte[] first = LanePackets.tcpSuperPacket(POD_OWN, POD_B, 64, MSS, 3 * MSS);
            final byte[] second = LanePackets.tcpSuperPacket(POD_OWN, POD_B, 64, MSS, 3 * MSS);
            lane.tun.put(first);
            lane.tun.put(second);

            assertThat(reader.doWork()).isEqualTo(2);

            assertSegments(nodeB, first, 3);
            assertSegments(nodeB, second, 3);
            assertThat(lane.count(DataplaneCounter.UDP_TX_RUNS_CONTINUED)).isEqualTo(offloads.udpGso ? 1 : 0);
            assertThat(lane.count(DataplaneCounter.UDP_TX_SENDS)).isEqualTo(offloads.udpGso ? 1 : 2);
            assertThat(lane.count(DataplaneCounter.UDP_TX_PACKETS)).isEqualTo(6);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Offloads.class, names = {"TUN_ONLY", "ALL"})
    void shouldDropAndCountSuperPacketsItCannotCutAndForwardTheReadsAfterThem(final Offloads offloads)
        throws Exception {
        try (StandInLane lane = StandInLane.open(offloads)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            lane.leases(nodeB.lease);
            final TunReader reader = lane.tunReader();
            final byte[] udpGso = LanePackets.tcpSuperPacket(POD_OWN, POD_B, 64, MSS, 3 * MSS);
            udpGso[1] = 3; // VIRTIO_NET_HDR_GSO_UDP: not a TCP super-packet
            final byte[] packet = LanePackets.udp(100, 64, POD_OWN, POD_B);
            // More refused reads than the batch has slots: each held one until a send freed them all.
            final int refused = StandInLane.BATCH + 4;
            for (int i = 0; i < refused; i++) {
                lane.tun.put(udpGso);
            }
            lane.tun.put(lane.asRead(packet));

            assertThat(reader.doWork()).isEqualTo(refused + 1);

            assertThat(nodeB.receive()).isEqualTo(forwarded(packet));
            assertThat(nodeB.poll()).isNull();
            assertThat(lane.count(DataplaneCounter.DROP_BAD_OFFLOAD)).isEqualTo(refused);
            assertThat(lane.count(DataplaneCounter.UDP_TX_PACKETS)).isEqualTo(1);
        }
    }

    /** The next {@code count} datagrams at {@code peer} are {@code superPacket} cut as TSO would, TTL one less. */
    static void assertSegments(final LoopbackPeer peer, final byte[] superPacket, final int count) throws Exception {
        final byte[] original = Arrays.copyOfRange(superPacket, VirtioNetHeader.LENGTH, superPacket.length);
        final byte[] payload = LanePackets.tcpPayload(original);
        for (int i = 0; i < count; i++) {
            final byte[] segment = peer.receive();
            final int length = Math.min(MSS, payload.length - i * MSS);
            assertThat(segment).as("segment %d", i).hasSize(LanePackets.IP_AND_TCP_HEADERS + length);
            assertThat(TestPackets.getShort(segment, 2)).as("total length").isEqualTo(segment.length);
            assertThat(segment[8]).as("TTL").isEqualTo((byte)(original[8] - 1));
            assertThat(TestPackets.checksumVerifies(segment, 0, 20)).as("IP checksum of segment %d", i).isTrue();
            assertThat(LanePackets.tcpChecksumVerifies(segment)).as("TCP checksum of segment %d", i).isTrue();
            assertThat(LanePackets.tcpSequenceOffset(segment)).isEqualTo(i * MSS);
            assertThat(LanePackets.tcpPayload(segment)).as("payload of segment %d", i)
                .isEqualTo(Arrays.copyOfRange(payload, i * MSS, i * MSS + length));
        }
    }
}
