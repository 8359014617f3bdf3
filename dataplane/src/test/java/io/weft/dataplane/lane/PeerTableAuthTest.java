package io.weft.dataplane.lane;

import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.auth.AuthHeader;
import io.weft.auth.NodeKey;
import io.weft.auth.ReplayWindow;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Prefix;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The keys and replay windows of a peer outlive its lease's comings and goings, and nonces never repeat: what makes
 * AES-GCM safe here does not depend on the registry behaving.
 */
class PeerTableAuthTest {
    private final NodeAuth ours = new NodeAuth(AuthMode.ON, false, NodeKey.generate(), 7, 2, 0, 0);
    private final NodeKey peerKey = NodeKey.generate();
    private final PeerTable table = new PeerTable(8285, ours);

    @Test
    void shouldKeepAPeersKeysAndWindowsWhenItsLeaseGoesAndComesBack() {
        final Lease peer = lease("10.244.2.0/24", "192.168.100.2", 5);
        table.replaceAll(List.of(peer));
        final PeerAuth first = table.current().authOf(ip("192.168.100.2"));
        first.window(3).markSeen(100);

        table.replaceAll(List.of());
        assertThat(table.current().authOf(ip("192.168.100.2"))).isNull();
        table.replaceAll(List.of(peer));

        final PeerAuth again = table.current().authOf(ip("192.168.100.2"));
        assertThat(again).isSameAs(first);
        assertThat(again.window(3).isFresh(100)).as("a datagram taken before stays taken").isFalse();
    }

    @Test
    void shouldRefuseAnotherNodeThatAdvertisesOurOwnKey() {
        final PeerTable knowingOurAddress = new PeerTable(8285, ours, ip("192.168.100.1"));
        final BackendData ourKey = new BackendData(false, ours.publicKey(), 3);

        knowingOurAddress.replaceAll(List.of(
            new Lease(Ipv4Prefix.parse("10.244.1.0/24"), ip("192.168.100.1"), ourKey),
            new Lease(Ipv4Prefix.parse("10.244.9.0/24"), ip("192.168.100.9"), ourKey)));

        assertThat(knowingOurAddress.current().authOf(ip("192.168.100.1"))).as("our own lease").isNull();
        final PeerAuth copy = knowingOurAddress.current().authOf(ip("192.168.100.9"));
        assertThat(copy).as("not taken for a node without a key, which would be served in clear").isNotNull();
        assertThat(copy.usable()).as("nothing sealed for it, nothing opened from it").isFalse();
        assertThat(copy.receiveKey(0)).isNull();
    }

    /** Authentication's default meets flanneld clusters: one line per node without a key would flood the log. */
    @Test
    void shouldLogAFewNodesWithoutAKeyOneByOneAndTheRestInOneLine() {
        final List<Lease> flanneldNodes = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            flanneldNodes.add(new Lease(Ipv4Prefix.parse("10.244." + i + ".0/24"), ip("192.168.100." + i),
                BackendData.NONE));
        }
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final PrintStream stderr = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            table.replaceAll(flanneldNodes);
            table.replaceAll(flanneldNodes);
        } finally {
            System.setErr(stderr);
        }

        final String text = log.toString(StandardCharsets.UTF_8);
        assertThat(text.lines().filter(line -> line.contains(" advertises no key ")))
            .as("the first few, once each").hasSize(PeerTable.WITHOUT_KEY_LOGGED_EACH);
        final List<String> summaries = text.lines().filter(line -> line.contains("more nodes")).toList();
        assertThat(summaries).as("once, not again for the same nodes").hasSize(1);
        assertThat(summaries.get(0)).contains("and 12 more nodes advertise no key (20 in all, weft_peers_without_key)");
        assertThat(table.peersWithoutKey()).isEqualTo(20);
    }

    @Test
    void shouldOpenWithTheNewerEpochWhenOneAddressHasTwoLeases() {
        final Lease stale = lease("10.244.2.0/24", "192.168.100.2", 5);
        final Lease current = lease("10.244.3.0/24", "192.168.100.2", 9);

        table.replaceAll(List.of(current, stale));

        assertThat(table.current().authOf(ip("192.168.100.2")).epoch).isEqualTo(9);
    }

    /** A stale lease of the same key beside the current one must not make the current epoch's windows anew. */
    @Test
    void shouldKeepTheCurrentEpochsWindowsAcrossLeaseSetsWhileAStaleLeaseOfItsKeyRemains() {
        final List<Lease> both = List.of(lease("10.244.3.0/24", "192.168.100.2", 9),
            lease("10.244.2.0/24", "192.168.100.2", 5));
        table.replaceAll(both);
        final ReplayWindow window = table.current().authOf(ip("192.168.100.2")).window(3);
        window.markSeen(100);

        for (int i = 0; i < 3; i++) {
            table.replaceAll(both);
            // As a registry that parsed every lease anew would hand them: equal, not the same objects.
            table.replaceAll(List.of(lease("10.244.3.0/24", "192.168.100.2", 9),
                lease("10.244.2.0/24", "192.168.100.2", 5)));
        }

        assertThat(table.current().authOf(ip("192.168.100.2")).window(3)).isSameAs(window);
        assertThat(window.isFresh(100)).as("a datagram taken before stays taken").isFalse();
    }

    /** Past {@link PeerKeys#PARALLEL_AGREEMENTS_FROM} new keys the agreements run on every core: the same keys. */
    @Test
    void shouldAgreeWithEveryPeerOfALargeLeaseSetAsEachPeerAgreesWithUs() {
        final List<Lease> peers = new ArrayList<>();
        final List<PeerTable> theirTables = new ArrayList<>();
        final Lease ourLease = new Lease(Ipv4Prefix.parse("10.244.0.0/24"), ip("192.168.100.250"),
            new BackendData(false, ours.publicKey(), 7));
        for (int i = 1; i <= 2 * PeerKeys.PARALLEL_AGREEMENTS_FROM; i++) {
            final NodeAuth theirs = new NodeAuth(AuthMode.ON, false, NodeKey.generate(), 100 + i, 1, 0, 0);
            peers.add(new Lease(Ipv4Prefix.parse("10.244." + i + ".0/24"), ip("192.168.100." + i),
                new BackendData(false, theirs.publicKey(), 100 + i)));
            final PeerTable theirTable = new PeerTable(8285, theirs);
            theirTable.replaceAll(List.of(ourLease));
            theirTables.add(theirTable);
        }

        table.replaceAll(peers);

        for (int i = 1; i <= peers.size(); i++) {
            final PeerAuth toThem = table.current().authOf(ip("192.168.100." + i));
            final PeerAuth toUs = theirTables.get(i - 1).current().authOf(ip("192.168.100.250"));
            assertThat(toThem.sendKey).as("peer %d", i).isEqualTo(toUs.receiveKey(0));
            assertThat(toThem.receiveKey(0)).as("peer %d", i).isEqualTo(toUs.sendKey);
            assertThat(toThem.epoch).isEqualTo(100 + i);
        }
    }

    @Test
    void shouldNeverHandOutANonceTwiceAndRaiseCountersPastWhatASuccessorMayUse() {
        final Set<Long> nonces = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertThat(nonces.add(ours.nextNonce(i % 2))).isTrue();
        }
        assertThat(ours.maxCounter()).isEqualTo(500);

        ours.raiseCounters(1L << 32);

        assertThat(ours.nextNonce(1) & AuthHeader.MAX_COUNTER).isEqualTo(1L << 32);
        assertThat(ours.nextNonce(1) >>> AuthHeader.LANE_SHIFT).isEqualTo(1);
        final NodeAuth successor = new NodeAuth(AuthMode.ON, false, NodeKey.generate(), 7, 2, 1L << 33,
            NodeAuth.NONCE_LANE_HALF);
        assertThat(successor.nextNonce(1) >>> AuthHeader.LANE_SHIFT).as("the other half of the lane numbers")
            .isEqualTo(129);
    }

    private Lease lease(final String subnet, final String publicIp, final long epoch) {
        return new Lease(Ipv4Prefix.parse(subnet), ip(publicIp),
            new BackendData(false, peerKey.publicKeyBase64(), epoch));
    }
}
