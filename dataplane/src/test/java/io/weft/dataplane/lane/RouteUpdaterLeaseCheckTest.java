package io.weft.dataplane.lane;

import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.registry.Lease;
import io.weft.registry.LeaseChanges;
import io.weft.registry.RegistryStats;
import io.weft.routing.Ipv4Prefix;
import io.weft.routing.RouteSnapshot;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Leases the route updater refuses: another subnet's lease carrying this node's own public IP. */
class RouteUpdaterLeaseCheckTest {
    private static final int OWN_IP = ip("192.168.100.1");
    private static final Lease OWN = new Lease(Ipv4Prefix.parse("10.244.1.0/24"), OWN_IP);
    private static final Lease NODE_B = new Lease(Ipv4Prefix.parse("10.244.2.0/24"), ip("192.168.100.2"));
    private static final Lease POSING_AS_US = new Lease(Ipv4Prefix.parse("10.244.3.0/24"), OWN_IP);

    private final PeerTable peers = new PeerTable(8285);
    private final RegistryStats stats = new RegistryStats();
    private final AtomicInteger subnetLost = new AtomicInteger();
    private final RouteUpdater updater = new RouteUpdater(peers, OWN, stats, subnetLost::incrementAndGet);

    @Test
    void shouldRefuseAndCountOnceAnotherSubnetsLeaseWhenItCarriesOurOwnPublicIp() {
        updater.onLeases(List.of(OWN, NODE_B, POSING_AS_US), System.nanoTime());
        updater.onLeases(List.of(OWN, NODE_B, POSING_AS_US), System.nanoTime());

        assertThat(peerOf("10.244.3.7")).as("no route: its traffic would come back to our socket").isNull();
        assertThat(peerOf("10.244.2.7")).isEqualTo(NODE_B.publicIp());
        assertThat(peerOf("10.244.1.7")).as("ours stays: it tells spoofed sources apart").isEqualTo(OWN_IP);
        assertThat(peers.current().isKnownSender(OWN_IP)).isTrue();
        assertThat(stats.skippedEntries()).as("once per appearance, not per delivery").isEqualTo(1);
        assertThat(updater.toPrometheusText()).contains("weft_leases_known 2\n");

        updater.onLeases(List.of(OWN, NODE_B), System.nanoTime());
        updater.onLeases(List.of(OWN, NODE_B, POSING_AS_US), System.nanoTime());
        assertThat(stats.skippedEntries()).as("it came back").isEqualTo(2);
    }

    @Test
    void shouldRefuseAndCountOnceSuchALeaseWhenItComesAsAChange() {
        final Lease nodeC = new Lease(Ipv4Prefix.parse("10.244.4.0/24"), ip("192.168.100.4"));
        final Lease posingAgain = new Lease(Ipv4Prefix.parse("10.244.3.0/24"), OWN_IP, true);
        updater.onLeases(List.of(OWN, NODE_B), System.nanoTime());

        updater.onLeaseChanges(changes(List.of(), List.of(POSING_AS_US, nodeC), OWN, NODE_B, POSING_AS_US, nodeC),
            System.nanoTime());
        updater.onLeaseChanges(changes(List.of(POSING_AS_US), List.of(posingAgain), OWN, NODE_B, posingAgain, nodeC),
            System.nanoTime());

        assertThat(peerOf("10.244.3.7")).isNull();
        assertThat(peerOf("10.244.4.7")).isEqualTo(nodeC.publicIp());
        assertThat(stats.skippedEntries()).as("written over, still refused: once").isEqualTo(1);
        assertThat(updater.toPrometheusText()).contains("weft_leases_known 3\n");

        updater.onLeaseChanges(changes(List.of(posingAgain, NODE_B), List.of(), OWN, nodeC), System.nanoTime());
        assertThat(peerOf("10.244.2.7")).isNull();
        assertThat(updater.toPrometheusText()).contains("weft_leases_known 2\n");
        updater.onLeaseChanges(changes(List.of(), List.of(POSING_AS_US), OWN, nodeC, POSING_AS_US),
            System.nanoTime());
        assertThat(stats.skippedEntries()).as("it came back").isEqualTo(2);
    }

    private static LeaseChanges changes(final List<Lease> gone, final List<Lease> added, final Lease... all) {
        return new LeaseChanges(gone, added, List.of(all));
    }

    @Test
    void shouldRouteEveryLeaseWhenNoneCarriesOurPublicIpButOurs() {
        updater.onLeases(List.of(OWN, NODE_B), System.nanoTime());

        assertThat(peerOf("10.244.2.7")).isEqualTo(NODE_B.publicIp());
        assertThat(stats.skippedEntries()).isZero();
    }

    private Integer peerOf(final String address) {
        final RouteSnapshot<Peer> routes = peers.current().routes();
        final int route = routes.lookup(ip(address));
        return route == RouteSnapshot.NO_ROUTE ? null : routes.value(route).publicIp();
    }
}
