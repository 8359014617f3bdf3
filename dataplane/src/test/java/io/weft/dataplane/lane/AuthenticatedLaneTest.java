package io.weft.dataplane.lane;

import static io.weft.dataplane.lane.LanePackets.forwarded;
import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.auth.AuthHeader;
import io.weft.auth.NodeKey;
import io.weft.dataplane.packet.PacketBuffer;
import io.weft.dataplane.packet.TestPackets;
import io.weft.dataplane.packet.VirtioNetHeader;
import io.weft.registry.Lease;
import io.weft.tun.EventFd;
import io.weft.tun.ReceiveBatch;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two nodes that authenticate (issue 20), as lanes over stand-ins: what one sends leaves sealed and is delivered by
 * the other; the same datagram again, one altered, a bare packet from the authenticating node's address and a
 * sealed one from a node whose key is not held are refused, each under its own counter.
 */
class AuthenticatedLaneTest {
    private static final int POD_OWN = ip("10.244.1.5");
    private static final int POD_B = ip("10.244.2.7");
    private static final int MSS = 1000;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldDeliverWhatLeftSealedOnceAndRefuseReplaysAlterationsAndBarePackets(final boolean encrypt)
        throws Exception {
        try (StandInLane nodeA = StandInLane.open(Offloads.NONE, auth(encrypt));
            StandInLane nodeB = StandInLane.open(Offloads.NONE, "127.0.0.2", "10.244.2.0/24", nodeA, auth(encrypt));
            DatagramChannel fromA = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            nodeA.leases(nodeB.ownLease);
            nodeB.leases(nodeA.ownLease);
            final byte[] packet = LanePackets.udp(300, 64, POD_OWN, POD_B);
            nodeA.tun.put(packet);
            nodeA.tunReader().doWork();

            // Taken off the wire before node B's lane sees it, then played to it from node A's address.
            final byte[] sealed = receiveRaw(nodeB);
            assertThat(sealed).hasSize(packet.length + AuthHeader.OVERHEAD);
            assertThat(sealed[0] & 0xFF)
                .isEqualTo(encrypt ? AuthHeader.TYPE_ENCRYPTED : AuthHeader.TYPE_AUTHENTICATED);
            final byte[] inside = Arrays.copyOfRange(sealed, AuthHeader.LENGTH, AuthHeader.LENGTH + packet.length);
            if (encrypt) {
                assertThat(inside).isNotEqualTo(forwarded(packet));
            } else {
                assertThat(inside).as("in clear, TTL decremented").isEqualTo(forwarded(packet));
            }
            final UdpReceiver receiverB = nodeB.udpReceiver();

            deliver(fromA, nodeB, receiverB, sealed);
            assertThat(nodeB.tun.take()).as("opened and delivered").isEqualTo(forwarded(forwarded(packet)));

            deliver(fromA, nodeB, receiverB, sealed);
            assertThat(nodeB.count(DataplaneCounter.DROP_REPLAYED)).isEqualTo(1);

            final byte[] altered = sealed.clone();
            altered[AuthHeader.NONCE_OFFSET + 7] ^= 1; // another counter: fresh, but its tag no longer holds
            deliver(fromA, nodeB, receiverB, altered);
            assertThat(nodeB.count(DataplaneCounter.DROP_AUTH_FAILED)).isEqualTo(1);

            // What a pod masqueraded to node A's address could send: a bare packet from one of A's pod addresses.
            deliver(fromA, nodeB, receiverB, forwarded(packet));
            assertThat(nodeB.count(DataplaneCounter.DROP_UNAUTHENTICATED)).isEqualTo(1);

            assertThat(nodeB.tun.take()).as("nothing else reached node B's pods").isNull();
            assertThat(nodeB.count(DataplaneCounter.TUN_TX_PACKETS)).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @CsvSource({"TUN_ONLY,false", "TUN_ONLY,true", "ALL,false", "ALL,true"})
    void shouldSealEverySegmentOfASuperPacketAndMergeThemBackThere(final Offloads offloads, final boolean encrypt)
        throws Exception {
        try (StandInLane nodeA = StandInLane.open(offloads, auth(encrypt));
            StandInLane nodeB = StandInLane.open(offloads, "127.0.0.2", "10.244.2.0/24", nodeA, auth(encrypt));
            EventFd shutdown = new EventFd()) {
            nodeA.leases(nodeB.ownLease);
            nodeB.leases(nodeA.ownLease);
            final Lane laneA = nodeA.lane(shutdown);
            final Lane laneB = nodeB.lane(shutdown);
            final byte[] superPacket = LanePackets.tcpSuperPacket(POD_OWN, POD_B, 64, MSS, 7 * MSS + 123);
            nodeA.tun.put(superPacket);

            assertThat(laneA.doWork()).isEqualTo(1);
            nodeB.awaitDatagram();
            laneB.doWork();

            final byte[] written = nodeB.tun.take();
            assertThat(written).isNotNull();
            final byte[] merged = Arrays.copyOfRange(written, VirtioNetHeader.LENGTH, written.length);
            final byte[] original = Arrays.copyOfRange(superPacket, VirtioNetHeader.LENGTH, superPacket.length);
            assertThat(LanePackets.tcpPayload(merged)).isEqualTo(LanePackets.tcpPayload(original));
            assertThat(TestPackets.checksumVerifies(merged, 0, 20)).isTrue();
            assertThat(nodeA.count(DataplaneCounter.UDP_TX_PACKETS)).isEqualTo(8);
            assertThat(nodeA.count(DataplaneCounter.UDP_TX_BYTES))
                .as("each segment with its own header and tag").isEqualTo(original.length + 7 * 40 + 8 * 28);
            assertThat(nodeB.count(DataplaneCounter.TUN_TX_PACKETS)).isEqualTo(8);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldRefuseSealedDatagramsFromANodeWhoseKeyItDoesNotHold(final boolean required) throws Exception {
        final NodeAuth bAuth = new NodeAuth(required ? AuthMode.REQUIRED : AuthMode.ON, false, NodeKey.generate(),
            1, 1, 0, 0);
        try (StandInLane nodeA = StandInLane.open(Offloads.NONE, auth(false));
            StandInLane nodeB = StandInLane.open(Offloads.NONE, "127.0.0.2", "10.244.2.0/24", nodeA, bAuth);
            DatagramChannel fromA = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            nodeA.leases(nodeB.ownLease);
            // Node B holds A's lease as flanneld writes it: no key.
            nodeB.leases(new Lease(nodeA.ownLease.subnet(), nodeA.publicIp));
            final byte[] packet = LanePackets.udp(300, 64, POD_OWN, POD_B);
            nodeA.tun.put(packet);
            nodeA.tunReader().doWork();
            final byte[] sealed = receiveRaw(nodeB);
            final UdpReceiver receiverB = nodeB.udpReceiver();

            deliver(fromA, nodeB, receiverB, sealed);
            assertThat(nodeB.count(DataplaneCounter.DROP_AUTH_UNKNOWN_KEY)).isEqualTo(1);

            deliver(fromA, nodeB, receiverB, forwarded(packet));
            if (required) {
                assertThat(nodeB.count(DataplaneCounter.DROP_UNAUTHENTICATED)).as("--auth=required").isEqualTo(1);
                assertThat(nodeB.tun.take()).isNull();
            } else {
                assertThat(nodeB.tun.take()).as("a node without a key is served as flannel serves it").isNotNull();
            }
        }
    }

    private static NodeAuth auth(final boolean encrypt) {
        return new NodeAuth(AuthMode.ON, encrypt, NodeKey.generate(), System.currentTimeMillis(), 1, 0, 0);
    }

    private static byte[] receiveRaw(final StandInLane node) {
        node.awaitDatagram();
        final PacketBuffer slot = new PacketBuffer(PacketBuffer.MAX_PACKET_LENGTH);
        final ReceiveBatch batch = new ReceiveBatch(1, slot.address, PacketBuffer.MAX_PACKET_LENGTH);
        assertThat(node.receiveSocket.receive(batch)).isEqualTo(1);
        final byte[] datagram = new byte[batch.length(0)];
        slot.buffer.getBytes(0, datagram);
        return datagram;
    }

    private static void deliver(final DatagramChannel from, final StandInLane node, final UdpReceiver receiver,
        final byte[] datagram) throws IOException {
        from.send(ByteBuffer.wrap(datagram), new InetSocketAddress("127.0.0.2", node.port));
        node.awaitDatagram();
        assertThat(receiver.doWork()).isPositive();
    }
}
