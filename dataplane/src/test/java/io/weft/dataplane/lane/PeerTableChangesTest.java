package io.weft.dataplane.lane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.auth.NodeKey;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import io.weft.routing.RouteSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Changes applied alone ({@link PeerTable#apply}) leave the table publishing what a table given each whole set
 * ({@link PeerTable#replaceAll}) publishes, refusals of retired keys included, and, but for those (a table built at
 * once has no history), what a table built from the set at once publishes: the same routes, peers, node addresses and
 * keys, over long random runs of the changes a registry makes (leases that come, go, move to another address, change
 * epoch or key, rotate, lose their key, advertise our own key; stale leases of one address beside another).
 */
class PeerTableChangesTest {
    private static final int SUBNETS = 12;
    private static final int ADDRESSES = 5;
    /** Ours, among the addresses the leases take. */
    private static final int OWN_ADDRESS = Ipv4Addresses.parse("192.168.100.1");
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

    /**
     * A node's stale lease beside the one a hand-over wrote under the same epoch, then a rotation on the new one: the
     * key it rotated away from is refused, on the stale lease too, and the key it rotated to is the node's.
     */
    @Test
    void shouldRefuseTheKeyANodeRotatedAwayFromOnItsStaleLeaseAndKeepTheNewOne() {
        final PeerTable table = new PeerTable(8285, ours, OWN_ADDRESS);
        final Lease stale = lease(3, 2, 0, 5, null);
        final Lease current = lease(7, 2, 0, 5, null);
        table.replaceAll(List.of(stale, current));
        final Lease announcing = lease(7, 2, 1, 5, peerKeys.get(0));
        table.apply(List.of(current), List.of(announcing));
        final Lease rotated = lease(7, 2, 1, 5, null);
        table.apply(List.of(announcing), List.of(rotated));

        final PeerAuth node = table.current().authOf(rotated.publicIp());
        assertThat(node.key).isEqualTo(peerKeys.get(1));
        assertThat(node.usable()).as("the key it rotated to").isTrue();
        final RouteSnapshot<Peer> routes = table.current().routes();
        final PeerAuth onStale = routes.value(routes.lookup(stale.subnet().address() + 1)).auth();
        assertThat(onStale.key).isEqualTo(peerKeys.get(0));
        assertThat(onStale.usable()).as("the key it rotated away from, named by the stale lease").isFalse();
        assertSamePublished(table, replayed(List.of(stale, current), List.of(stale, announcing),
            List.of(stale, rotated)));
    }

    /** What a change that failed half-way left is put right by the next whole set, whatever it held. */
    @Test
    void shouldStartAnewFromTheWholeSetAfterAChangeThatFailedHalfWay() {
        final PeerTable table = new PeerTable(8285, ours, OWN_ADDRESS);
        final Lease kept = lease(1, 1, 0, 3, null);
        final Lease going = lease(2, 2, 1, 3, null);
        table.replaceAll(List.of(kept, going));

        assertThatThrownBy(() -> table.apply(List.of(going), Arrays.asList((Lease)null)))
            .isInstanceOf(NullPointerException.class);
        table.replaceAll(List.of(kept));

        assertThat(table.current().isKnownSender(going.publicIp())).as("its node gone with its lease").isFalse();
        assertSamePublished(table, fresh(ours, List.of(kept)));
    }

    /** A table given each whole set in turn. */
    @SafeVarargs
    private PeerTable replayed(final List<Lease>... sets) {
        final PeerTable table = new PeerTable(8285, ours, OWN_ADDRESS);
        for (final List<Lease> set : sets) {
            table.replaceAll(set);
        }
        return table;
    }

    private void runChanges(final NodeAuth auth, final long seed) {
        final Random random = new Random(seed);
        final PeerTable changed = new PeerTable(8285, auth, OWN_ADDRESS);
        final PeerTable replaced = new PeerTable(8285, auth, OWN_ADDRESS);
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
            if (auth == ours && random.nextInt(100) == 0) {
                // Our rotation's next step, taken with the change: every lease agreed on again.
                rotationStep(step);
            }
            changed.apply(gone, added);
            replaced.replaceAll(set.values());
            assertThat(describe(changed.current(), true)).isEqualTo(describe(replaced.current(), true));
            assertThat(describe(changed.current(), false))
                .isEqualTo(describe(fresh(auth, set.values()).current(), false));
        }
    }

    private void rotationStep(final int step) {
        if (ours.keys().other() == null) {
            ours.announce(NodeKey.generate());
        } else if (step % 2 == 0) {
            ours.switchToOther();
        } else {
            ours.retireOther();
        }
    }

    /** A lease of the subnet: mostly a small step from what it was, as registries see them. */
    private Lease randomLease(final Random random, final int subnet, final Lease was) {
        final int address = was == null || random.nextInt(3) == 0 ? random.nextInt(ADDRESSES) : index(was.publicIp());
        if (random.nextInt(40) == 0 && ours.keys() != null) {
            // A copy of our key: refused on another node's lease, ours on our own.
            return new Lease(subnet(subnet), OWN_ADDRESS + address, new BackendData(false, ours.publicKey(), 9));
        }
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
        return new Lease(subnet(subnet), OWN_ADDRESS + address, data);
    }

    private static Ipv4Prefix subnet(final int subnet) {
        return new Ipv4Prefix(Ipv4Addresses.parse("10.244.0.0") + (subnet << 8), 24);
    }

    private static int index(final int publicIp) {
        return publicIp - OWN_ADDRESS;
    }

    private static PeerTable fresh(final NodeAuth auth, final Collection<Lease> leases) {
        final PeerTable table = new PeerTable(8285, auth, OWN_ADDRESS);
        table.replaceAll(leases);
        return table;
    }

    private static void assertSamePublished(final PeerTable table, final PeerTable expected) {
        assertThat(describe(table.current(), true)).isEqualTo(describe(expected.current(), true));
    }

    /**
     * What the lanes read, with each key named by its key, epoch and id rather than by identity, and whether it seals
     * and opens when {@code usable}.
     */
    private static List<String> describe(final PeerTable.Peers peers, final boolean usable) {
        final List<String> lines = new ArrayList<>();
        final RouteSnapshot<Peer> routes = peers.routes();
        for (int i = 0; i < routes.size(); i++) {
            final Peer peer = routes.value(i);
            lines.add(Ipv4Addresses.format(routes.prefix(i)) + "/" + routes.prefixLength(i) + " -> "
                + Ipv4Addresses.format(peer.publicIp()) + " " + peer.partialChecksums() + " " + peer.receiverKeyId()
                + " " + describe(peer.auth(), usable));
        }
        for (int i = 0; i < peers.sortedPublicIps().length; i++) {
            lines.add(Ipv4Addresses.format(peers.sortedPublicIps()[i]) + ": "
                + describe(peers.authBySortedIp()[i], usable) + ", other " + describe(peers.otherAuthBySortedIp()[i],
                usable));
        }
        return lines;
    }

    private static String describe(final PeerAuth auth, final boolean usable) {
        return auth == null ? "none" : auth.key + "/" + auth.epoch + "#" + auth.keyId
            + (usable && !auth.usable() ? " refused" : "");
    }
}
