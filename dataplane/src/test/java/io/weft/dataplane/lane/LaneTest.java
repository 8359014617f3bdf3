package io.weft.dataplane.lane;

import static io.weft.dataplane.lane.LanePackets.forwarded;
import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.dataplane.packet.TestPackets;
import io.weft.dataplane.packet.VirtioNetHeader;
import io.weft.tun.EventFd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A whole lane, both directions, over stand-ins: by hand, then on its own thread. No root needed. */
@Timeout(30)
class LaneTest {
    private static final int POD_OWN = ip("10.244.1.5");
    private static final int POD_B = ip("10.244.2.7");
    private static final int MSS = 1000;

    @ParameterizedTest
    @EnumSource(Offloads.class)
    void shouldMoveAPacketEachWayInOneTurnWhenDrivenByHand(final Offloads offloads) throws Exception {
        try (StandInLane node = StandInLane.open(offloads); EventFd shutdown = new EventFd()) {
            final LoopbackPeer nodeB = node.peer("127.0.0.2", "10.244.2.0/24");
            node.leases(nodeB.lease);
            final Lane lane = node.lane(shutdown);
            final byte[] out = LanePackets.udp(100, 64, POD_OWN, POD_B);
            final byte[] in = LanePackets.udp(200, 64, POD_B, POD_OWN);
            node.tun.put(node.asRead(out));
            nodeB.send(in, node.publicIp, node.port);
            node.awaitDatagram();

            assertThat(lane.doWork()).isEqualTo(2);

            assertThat(nodeB.receive()).isEqualTo(forwarded(out));
            assertThat(node.takeWritten()).isEqualTo(forwarded(in));
            assertThat(lane.doWork()).isZero();
        }
    }

    /**
     * Two nodes back to back on loopback: a super-packet read from one node's TUN leaves cut into segments, with UDP
     * GSO when it is on, crosses the underlay (as one GRO buffer when it is on) and is written to the other node's
     * TUN merged back into one super-packet, its payload intact and its TTL two less, as between two weftds.
     */
    @ParameterizedTest
    @EnumSource(value = Offloads.class, names = {"TUN_ONLY", "ALL"})
    void shouldCarryASuperPacketToAnotherNodeAndMergeItBackThere(final Offloads offloads) throws Exception {
        try (StandInLane nodeA = StandInLane.open(offloads);
            StandInLane nodeB = StandInLane.open(offloads, "127.0.0.2", "10.244.2.0/24", nodeA);
            EventFd shutdown = new EventFd()) {
            nodeA.leases(nodeB.ownLease);
            nodeB.leases(nodeA.ownLease);
            final Lane laneA = nodeA.lane(shutdown);
            final Lane laneB = nodeB.lane(shutdown);
            final int payload = 7 * MSS + 123;
            final byte[] superPacket = LanePackets.tcpSuperPacket(POD_OWN, POD_B, 64, MSS, payload);
            nodeA.tun.put(superPacket);

            assertThat(laneA.doWork()).isEqualTo(1);
            nodeB.awaitDatagram();
            laneB.doWork();

            final byte[] written = nodeB.tun.take();
            assertThat(written).isNotNull();
            assertThat(nodeB.tun.take()).as("one TUN write").isNull();
            final ByteBuffer virtio = ByteBuffer.wrap(written).order(ByteOrder.nativeOrder());
            assertThat(virtio.get(1)).as("gso_type").isEqualTo((byte)VirtioNetHeader.GSO_TCPV4);
            assertThat(virtio.getShort(4)).as("gso_size").isEqualTo((short)MSS);
            final byte[] merged = Arrays.copyOfRange(written, VirtioNetHeader.LENGTH, written.length);
            final byte[] original = Arrays.copyOfRange(superPacket, VirtioNetHeader.LENGTH, superPacket.length);
            assertThat(merged).hasSameSizeAs(original);
            assertThat(merged[8]).as("TTL, once per node").isEqualTo((byte)62);
            assertThat(TestPackets.checksumVerifies(merged, 0, 20)).isTrue();
            assertThat(LanePackets.tcpPayload(merged)).isEqualTo(LanePackets.tcpPayload(original));
            assertThat(nodeA.count(DataplaneCounter.UDP_TX_PACKETS)).isEqualTo(8);
            assertThat(nodeB.count(DataplaneCounter.UDP_RX_PACKETS)).isEqualTo(8);
            assertThat(nodeB.count(DataplaneCounter.UDP_RX_RECEIVES)).as("one recvmmsg").isEqualTo(1);
            assertThat(nodeB.count(DataplaneCounter.TUN_TX_WRITES)).isEqualTo(1);
        }
    }

    @Test
    void shouldForwardOnItsOwnThreadAndEndWhenShutdownIsSignalled() throws Exception {
        try (StandInLane node = StandInLane.open(Offloads.ALL); EventFd shutdown = new EventFd()) {
            final LoopbackPeer nodeB = node.peer("127.0.0.2", "10.244.2.0/24");
            node.leases(nodeB.lease);
            final Lane lane = node.lane(shutdown);
            lane.start();
            final byte[] out = LanePackets.udp(100, 64, POD_OWN, POD_B);

            node.tun.put(node.asRead(out));

            assertThat(nodeB.receive()).isEqualTo(forwarded(out));
            shutdown.signal();
            lane.close();
            assertThat(lane.queueDetached()).isFalse();
            assertThat(lane.fatalError()).isNull();
        }
    }
}
