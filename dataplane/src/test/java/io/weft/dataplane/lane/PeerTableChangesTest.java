package io.weft.dataplane.lane;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.auth.NodeKey;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import io.weft.routing.RouteSnapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A change applied alone ({@link PeerTable#apply}) leaves the table publishing what a table built from the whole set
 * at once publishes: the same routes, peers, node addresses and keys, over long random runs of the changes a registry
 * makes (leases that come, go, move to another address, change epoch or key, rotate, lose their key; stale leases of
 * one address beside another).
 */
class PeerTableChangesTest {
    private static final int SUBNETS = 12;
    private static final int ADDRESSES = 5;
    private final NodeAuth ours = new NodeAuth(AuthMode.ON, false, NodeKey.generate(), 7, 2, 0, 0);
    private final List<String> peerKeys = List.of(NodeKey.generate().publicKeyBase64(),
        NodeKey.generate().publicKeyBase64(), NodeKey.generate().publicKeyBase64(),
        NodeKey.generate().publicKeyBase64());

    @Test
    void shouldPublishWhatTheWholeSetBuiltAtOncePublishesAfterEveryChangeAuthenticating() {
        runChanges(ours, 11);
    }

    @Test
    void shouldPublishWhatTheWholeSetBuiltAtOncePublishesAfterEveryChangeWithoutAuthentication() {
        runChanges(NodeAuth.OFF, 12);
    }

    @Test
    void shouldTakeEveryLeaseAgainWhenOurKeysChangeWithoutLosingAPeersWindows() {
        final PeerTable table = new PeerTable(8285, ours);
        final Lease peer = lease(3, 2, 0, 4, null);
        table.apply(List.of(), List.of(peer, lease(4, 3, 1, 4, null)));
        final PeerAuth before = table.current().authOf(peer.publicIp());
        before.window(1).markSeen(42);

        ours.announce(NodeKey.generate());
        table.ownKeysChanged();

        final PeerAuth after = table.current().authOf(peer.publicIp());
        assertThat(after).as("agreed again with our new key").isNotSameAs(before);
        assertThat(after.window(1).isFresh(42)).as("the same windows").isFalse();
        assertThat(table.current().routes().size()).isEqualTo(2);
        assertSamePublished(table, fresh(ours, List.of(peer, lease(4, 3, 1, 4, null))));
    }

    private void runChanges(final NodeAuth auth, final long seed) {
        final Random random = new Random(seed);
        final PeerTable changed = new PeerTable(8285, auth);
        final PeerTable replaced = new PeerTable(8285, auth);
        final Map<Integer, Lease> set = new HashMap<>();
        for (int step = 0; step < 3_000; step++) {
            final List<Lease> gone = new ArrayList<>();
            final List<Lease> added = new ArrayList<>();
            for (int change = random.nextInt(3) + 1; change > 0; change--) {
                final int subnet = random.nextInt(SUBNETS);
                final Lease was = set.remove(subnet);
                if (was != null && !added.contains(was)) {
                    gone.add(was);
                }
                added.removeIf(lease -> lease.subnet().equals(subnet(subnet)));
                if (random.nextInt(4) > 0) {
                    final Lease now = randomLease(random, subnet, was);
                    set.put(subnet, now);
                    added.add(now);
                }
            }
            changed.apply(gone, added);
            replaced.replaceAll(set.values());
            final PeerTable atOnce = fresh(auth, set.values());
            assertSamePublished(changed, atOnce);
            assertSamePublished(replaced, atOnce);
        }
    }

    /** A lease of the subnet: mostly a small step from what it was, as registries see them. */
    private Lease randomLease(final Random random, final int subnet, final Lease was) {
        final int address = was == null || random.nextInt(3) == 0 ? random.nextInt(ADDRESSES) : index(was.publicIp());
        final int key = random.nextInt(5) == 0 ? -1 : was == null || !was.backendData().hasKey() || random.nextInt(4)
            == 0 ? random.nextInt(peerKeys.size()) : peerKeys.indexOf(was.backendData().key());
        final long epoch = was == null || !was.backendData().hasKey() || random.nextInt(3) == 0 ? 1 + random.nextInt(3)
            : was.backendData().epoch();
        final String other = key >= 0 && random.nextInt(4) == 0 ? peerKeys.get((key + 1) % peerKeys.size()) : null;
        return lease(subnet, address, key, epoch, other);
    }

    private Lease lease(final int subnet, final int address, final int key, final long epoch, final String other) {
        final BackendData data = key < 0 ? BackendData.NONE
            : new BackendData(subnet % 2 == 0, peerKeys.get(key), epoch, other);
        return new Lease(subnet(subnet), Ipv4Addresses.parse("192.168.100.1") + address, data);
    }

    private static Ipv4Prefix subnet(final int subnet) {
        return new Ipv4Prefix(Ipv4Addresses.parse("10.244.0.0") + (subnet << 8), 24);
    }

    private static int index(final int publicIp) {
        return publicIp - Ipv4Addresses.parse("192.168.100.1");
    }

    private static PeerTable fresh(final NodeAuth auth, final Collection<Lease> leases) {
        final PeerTable table = new PeerTable(8285, auth);
        table.replaceAll(leases);
        return table;
    }

    private static void assertSamePublished(final PeerTable table, final PeerTable expected) {
        final PeerTable.Peers actual = table.current();
        final PeerTable.Peers wanted = expected.current();
        assertThat(describe(actual)).isEqualTo(describe(wanted));
    }

    /** What the lanes read, with each key named by its key, epoch and id rather than by identity. */
    private static List<String> describe(final PeerTable.Peers peers) {
        final List<String> lines = new ArrayList<>();
        final RouteSnapshot<Peer> routes = peers.routes();
        for (int i = 0; i < routes.size(); i++) {
            final Peer peer = routes.value(i);
            lines.add(Ipv4Addresses.format(routes.prefix(i)) + "/" + routes.prefixLength(i) + " -> "
                + Ipv4Addresses.format(peer.publicIp()) + " " + peer.partialChecksums() + " " + peer.receiverKeyId()
                + " " + describe(peer.auth()));
        }
        for (int i = 0; i < peers.sortedPublicIps().length; i++) {
            lines.add(Ipv4Addresses.format(peers.sortedPublicIps()[i]) + ": " + describe(peers.authBySortedIp()[i])
                + ", other " + describe(peers.otherAuthBySortedIp()[i]));
        }
        return lines;
    }

    private static String describe(final PeerAuth auth) {
        return auth == null ? "none" : auth.key + "/" + auth.epoch + "#" + auth.keyId;
    }
}
