package io.weft.dataplane.lane;

import static io.weft.dataplane.lane.LanePackets.forwarded;
import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.dataplane.packet.Ipv4Header;
import io.weft.registry.Lease;
import io.weft.registry.RegistryStats;
import io.weft.routing.Ipv4Prefix;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lease events reach the lanes: what a RouteUpdater publishes is what the agents' next doWork() sees. */
@Timeout(30)
class RouteUpdaterTest {
    private static final int POD_OWN = ip("10.244.1.5");
    private static final int POD_B = ip("10.244.2.7");

    @Test
    void shouldRouteToANodeFromTheNextDoWorkAfterItsLeaseArrives() throws Exception {
        try (StandInLane lane = StandInLane.open(Offloads.NONE)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            final TunReader reader = lane.tunReader();
            final byte[] packet = LanePackets.udp(100, 64, POD_OWN, POD_B);
            lane.leases();
            lane.tun.put(packet);
            assertThat(reader.doWork()).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.DROP_NO_ROUTE)).isEqualTo(1);
            assertThat(lane.tun.take()).as("the ICMP error").isNotNull();

            lane.leases(nodeB.lease);
            lane.tun.put(packet);

            assertThat(reader.doWork()).isEqualTo(1);
            assertThat(nodeB.receive()).isEqualTo(forwarded(packet));
            assertThat(lane.count(DataplaneCounter.DROP_NO_ROUTE)).isEqualTo(1);
        }
    }

    @Test
    void shouldNeitherRouteToNorAcceptFromANodeOnceItsLeaseIsGone() throws Exception {
        try (StandInLane lane = StandInLane.open(Offloads.NONE)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            final TunReader reader = lane.tunReader();
            final UdpReceiver receiver = lane.udpReceiver();
            lane.leases(nodeB.lease);
            lane.leases();

            lane.tun.put(LanePackets.udp(100, 64, POD_OWN, POD_B));
            nodeB.send(LanePackets.udp(100, 64, POD_B, POD_OWN), lane.publicIp, lane.port);
            lane.awaitDatagram();

            assertThat(reader.doWork()).isEqualTo(1);
            assertThat(receiver.doWork()).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.DROP_NO_ROUTE)).isEqualTo(1);
            assertThat(lane.count(DataplaneCounter.DROP_UNKNOWN_SENDER)).isEqualTo(1);
            assertThat(nodeB.poll()).isNull();
            assertThat(lane.takeWritten()).as("only the ICMP error").satisfies(reply ->
                assertThat(reply[9]).isEqualTo((byte)Ipv4Header.PROTOCOL_ICMP));
            assertThat(lane.tun.take()).isNull();
        }
    }

    @Test
    void shouldFollowASubnetToTheNodeThatLeasesItNow() throws Exception {
        try (StandInLane lane = StandInLane.open(Offloads.NONE)) {
            final LoopbackPeer nodeB = lane.peer("127.0.0.2", "10.244.2.0/24");
            final LoopbackPeer nodeC = lane.peer("127.0.0.3", "10.244.3.0/24");
            final TunReader reader = lane.tunReader();
            final UdpReceiver receiver = lane.udpReceiver();
            final Lease movedToC = new Lease(Ipv4Prefix.parse("10.244.2.0/24"), nodeC.publicIp);
            lane.leases(nodeB.lease);
            lane.leases(movedToC);
            final byte[] out = LanePackets.udp(100, 64, POD_OWN, POD_B);
            final byte[] fromC = LanePackets.udp(100, 64, POD_B, POD_OWN);
            final byte[] fromB = LanePackets.udp(120, 64, POD_B, POD_OWN);

            lane.tun.put(out);
            assertThat(reader.doWork()).isEqualTo(1);
            nodeC.send(fromC, lane.publicIp, lane.port);
            nodeB.send(fromB, lane.publicIp, lane.port);
            lane.awaitDatagram();
            assertThat(receiver.doWork()).isEqualTo(2);

            assertThat(nodeC.receive()).isEqualTo(forwarded(out));
            assertThat(nodeB.poll()).isNull();
            assertThat(lane.takeWritten()).isEqualTo(forwarded(fromC));
            assertThat(lane.tun.take()).isNull();
            assertThat(lane.count(DataplaneCounter.DROP_UNKNOWN_SENDER)).as("B holds no lease now").isEqualTo(1);
        }
    }

    @Test
    void shouldReleaseTheFirstSnapshotWaitAndCountTheLeasesWhenLeasesArrive() throws Exception {
        final PeerTable peers = new PeerTable(8285);
        final RouteUpdater updater = new RouteUpdater(peers,
            new Lease(Ipv4Prefix.parse("10.244.1.0/24"), ip("192.168.100.1")), new RegistryStats(), () -> { });
        assertThat(updater.awaitFirstSnapshot(0, TimeUnit.MILLISECONDS)).isFalse();

        updater.onLeases(List.of(new Lease(Ipv4Prefix.parse("10.244.1.0/24"), ip("192.168.100.1")),
            new Lease(Ipv4Prefix.parse("10.244.2.0/24"), ip("192.168.100.2"), true)), System.nanoTime());

        assertThat(updater.awaitFirstSnapshot(0, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(updater.toPrometheusText()).contains("weft_leases_known 2\n")
            .contains("weft_route_propagation_seconds_count 1\n");
        final PeerTable.Peers view = peers.current();
        final Peer peer = view.routes().value(view.routes().lookup(POD_B));
        assertThat(peer).as("every node on the one backend port").isEqualTo(new Peer(ip("192.168.100.2"), 8285, true));
        assertThat(view.isKnownSender(ip("192.168.100.1"))).isTrue();
        assertThat(view.isKnownSender(ip("192.168.100.3"))).isFalse();
    }

    @Test
    void shouldAskTheDaemonToExitOnlyWhenOurLeaseComesBackWithAnotherSubnet() throws Exception {
        try (StandInLane lane = StandInLane.open(Offloads.NONE)) {
            lane.routeUpdater.onOwnLeaseReacquired(lane.ownLease);
            assertThat(lane.subnetsLost).isZero();

            lane.routeUpdater.onOwnLeaseReacquired(new Lease(Ipv4Prefix.parse("10.244.7.0/24"), lane.publicIp));
            assertThat(lane.subnetsLost).isEqualTo(1);
        }
    }
}
