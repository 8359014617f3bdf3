package io.weft.dataplane.lane;

import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.auth.NodeKey;
import io.weft.auth.ReplayWindow;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Prefix;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The keys of a rotation (issue 20), without a kernel: node A rotates its key in three steps while node B's view of
 * A's lease is at A's step or one behind (its watch lags). At every such pair, what either seals, with the key ids it
 * writes, is opened by the other with the very key it was sealed with: no datagram is lost to a rotation.
 */
class KeyRotationKeysTest {
    private static final int A = ip("192.168.100.1");
    private static final int B = ip("192.168.100.2");
    private static final Ipv4Prefix SUBNET_A = Ipv4Prefix.parse("10.244.1.0/24");
    private static final Ipv4Prefix SUBNET_B = Ipv4Prefix.parse("10.244.2.0/24");
    private static final int STEPS = 4;

    private final NodeKey oldKey = NodeKey.generate();
    private final NodeKey newKey = NodeKey.generateNext(oldKey);
    private final NodeAuth nodeB = new NodeAuth(AuthMode.ON, true, NodeKey.generate(), 22, 1, 0, 0);
    private final Lease leaseB = new Lease(SUBNET_B, B, nodeB.backendData(false));

    @Test
    void shouldOpenWhatEitherSealsAtEveryStepWhileTheOtherSeesThatStepOrTheOneBefore() {
        for (int step = 0; step < STEPS; step++) {
            for (int seen = Math.max(0, step - 1); seen <= step; seen++) {
                final NodeAuth nodeA = nodeAAtStep(step);
                final PeerTable tableA = new PeerTable(8285, nodeA);
                tableA.replaceAll(List.of(new Lease(SUBNET_A, A, nodeA.backendData(false)), leaseB));
                final PeerTable tableB = new PeerTable(8285, nodeB);
                tableB.replaceAll(List.of(new Lease(SUBNET_A, A, nodeAAtStep(seen).backendData(false)), leaseB));

                assertOpens(tableA, SUBNET_B, tableB, A, "A at step " + step + " to B seeing step " + seen);
                assertOpens(tableB, SUBNET_A, tableA, B, "B seeing step " + seen + " to A at step " + step);
            }
        }
    }

    @Test
    void shouldWriteKeyIdsOnlyForAPeerThatAdvertisesTwoKeys() {
        final PeerTable tableB = new PeerTable(8285, nodeB);
        tableB.replaceAll(List.of(new Lease(SUBNET_A, A, nodeAAtStep(0).backendData(false)), leaseB));
        assertThat(peerFor(tableB, SUBNET_A).receiverKeyId()).as("0, as weft before key ids reads it").isZero();

        tableB.replaceAll(List.of(new Lease(SUBNET_A, A, nodeAAtStep(1).backendData(false)), leaseB));
        assertThat(peerFor(tableB, SUBNET_A).receiverKeyId()).isEqualTo(oldKey.id());

        tableB.replaceAll(List.of(new Lease(SUBNET_A, A, nodeAAtStep(2).backendData(false)), leaseB));
        assertThat(peerFor(tableB, SUBNET_A).receiverKeyId()).isEqualTo(newKey.id());
    }

    @Test
    void shouldKeepAPeersReplayWindowsAcrossOurRotationAndDropThoseOfAKeyItRetired() {
        final NodeAuth nodeA = nodeAAtStep(0);
        final PeerTable tableA = new PeerTable(8285, nodeA);
        tableA.replaceAll(List.of(new Lease(SUBNET_A, A, nodeA.backendData(false)), leaseB));
        final ReplayWindow windowOfB = tableA.current().authOf(B).window(0);
        windowOfB.markSeen(41);

        nodeA.announce(newKey);
        tableA.ownKeysChanged();
        nodeA.switchToOther();
        tableA.ownKeysChanged();

        assertThat(tableA.current().authOf(B).window(0)).as("B's counters go on: its window stays")
            .isSameAs(windowOfB);
        assertThat(windowOfB.isFresh(41)).isFalse();

        final PeerTable tableB = new PeerTable(8285, nodeB);
        tableB.replaceAll(List.of(new Lease(SUBNET_A, A, nodeAAtStep(1).backendData(false)), leaseB));
        tableB.current().authOf(A, oldKey.id()).window(0).markSeen(7);
        tableB.replaceAll(List.of(new Lease(SUBNET_A, A, nodeAAtStep(3).backendData(false)), leaseB));
        assertThat(tableB.current().authOf(A, oldKey.id())).as("retired: no datagram opens under it").isNull();
        tableB.replaceAll(List.of(new Lease(SUBNET_A, A, nodeAAtStep(1).backendData(false)), leaseB));
        assertThat(tableB.current().authOf(A, oldKey.id()).receiveKey(0))
            .as("advertised again (a stale writer): its windows are gone, so nothing opens under it").isNull();
    }

    /** A's keys after {@code step} steps of its rotation: 1 announced, 2 switched, 3 retired. */
    private NodeAuth nodeAAtStep(final int step) {
        final NodeAuth nodeA = new NodeAuth(AuthMode.ON, false, oldKey, 11, 1, 0, 0);
        if (step >= 1) {
            nodeA.announce(newKey);
        }
        if (step >= 2) {
            nodeA.switchToOther();
        }
        if (step >= 3) {
            nodeA.retireOther();
        }
        return nodeA;
    }

    /** What {@code sender} seals towards {@code subnet}'s node opens at {@code receiver} with the same key. */
    private static void assertOpens(final PeerTable sender, final Ipv4Prefix subnet, final PeerTable receiver,
        final int senderIp, final String what) {
        final Peer peer = peerFor(sender, subnet);
        assertThat(peer.auth()).as(what).isNotNull();
        final PeerAuth opener = receiver.current().authOf(senderIp, peer.auth().ourKeyId);
        assertThat(opener).as(what + ": the sender's key is known").isNotNull();
        assertThat(opener.receiveKey(peer.receiverKeyId())).as(what).isEqualTo(peer.auth().sendKey);
    }

    private static Peer peerFor(final PeerTable table, final Ipv4Prefix subnet) {
        final PeerTable.Peers view = table.current();
        return view.routes().value(view.routes().lookup(subnet.address() + 1));
    }
}
