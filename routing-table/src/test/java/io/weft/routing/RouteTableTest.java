package io.weft.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private final RouteTable<String> table = new RouteTable<>();

    @Test
    void shouldFindNoRouteWhenTableIsEmpty() {
        final RouteSnapshot<String> snapshot = table.snapshot();

        assertThat(snapshot.size()).isZero();
        assertThat(snapshot.lookup(0)).isEqualTo(RouteSnapshot.NO_ROUTE);
        assertThat(snapshot.lookup(ip("10.244.1.2"))).isEqualTo(RouteSnapshot.NO_ROUTE);
        assertThat(snapshot.lookup(0xFFFFFFFF)).isEqualTo(RouteSnapshot.NO_ROUTE);
        assertThat(table.publish().lookup(ip("10.244.1.2"))).isEqualTo(RouteSnapshot.NO_ROUTE);
    }

    @Test
    void shouldMatchExactlyWhenOneRouteCoversTheAddress() {
        put("10.244.1.0/24", "node-1");
        put("10.244.2.0/24", "node-2");
        final RouteSnapshot<String> snapshot = table.publish();

        assertThat(valueOf(snapshot, "10.244.1.0")).isEqualTo("node-1");
        assertThat(valueOf(snapshot, "10.244.1.255")).isEqualTo("node-1");
        assertThat(valueOf(snapshot, "10.244.2.7")).isEqualTo("node-2");
        assertThat(snapshot.lookup(ip("10.244.3.0"))).isEqualTo(RouteSnapshot.NO_ROUTE);
        assertThat(snapshot.lookup(ip("10.244.0.255"))).isEqualTo(RouteSnapshot.NO_ROUTE);

        final int routeIndex = snapshot.lookup(ip("10.244.2.7"));
        assertThat(snapshot.prefix(routeIndex)).isEqualTo(ip("10.244.2.0"));
        assertThat(snapshot.prefixLength(routeIndex)).isEqualTo(24);
        assertThat(snapshot.size()).isEqualTo(2);
    }

    @Test
    void shouldPreferTheLongestPrefixWhenRoutesNest() {
        put("0.0.0.0/0", "default");
        put("10.0.0.0/8", "/8");
        put("10.244.0.0/16", "/16");
        put("10.244.1.0/24", "/24");
        put("10.244.1.7/32", "/32");
        final RouteSnapshot<String> snapshot = table.publish();

        assertThat(valueOf(snapshot, "10.244.1.7")).isEqualTo("/32");
        assertThat(valueOf(snapshot, "10.244.1.6")).isEqualTo("/24");
        assertThat(valueOf(snapshot, "10.244.1.8")).isEqualTo("/24");
        assertThat(valueOf(snapshot, "10.244.2.7")).isEqualTo("/16");
        assertThat(valueOf(snapshot, "10.245.1.7")).isEqualTo("/8");
        assertThat(valueOf(snapshot, "11.244.1.7")).isEqualTo("default");
        assertThat(valueOf(snapshot, "0.0.0.0")).isEqualTo("default");
        assertThat(valueOf(snapshot, "255.255.255.255")).isEqualTo("default");
    }

    @Test
    void shouldNotDependOnInsertionOrderWhenRoutesNest() {
        put("10.244.1.7/32", "/32");
        put("10.244.1.0/24", "/24");
        put("10.0.0.0/8", "/8");
        final RouteSnapshot<String> snapshot = table.publish();

        assertThat(valueOf(snapshot, "10.244.1.7")).isEqualTo("/32");
        assertThat(valueOf(snapshot, "10.244.1.1")).isEqualTo("/24");
        assertThat(valueOf(snapshot, "10.1.1.1")).isEqualTo("/8");
    }

    @Test
    void shouldKeepShorterMatchesInsideAChunkWhenPrefixesStraddleTheStrides() {
        // /15 and /23 span two level-16 and two level-24 entries; the /17 and /25 force chunks beneath them.
        put("10.244.0.0/15", "/15");
        put("10.245.128.0/17", "/17");
        put("10.245.2.0/23", "/23");
        put("10.245.3.128/25", "/25");
        put("10.245.3.0/31", "/31");
        final RouteSnapshot<String> snapshot = table.publish();

        assertThat(valueOf(snapshot, "10.244.200.1")).isEqualTo("/15");
        assertThat(valueOf(snapshot, "10.245.127.255")).isEqualTo("/15");
        assertThat(valueOf(snapshot, "10.245.128.0")).isEqualTo("/17");
        assertThat(valueOf(snapshot, "10.245.2.0")).isEqualTo("/23");
        assertThat(valueOf(snapshot, "10.245.3.127")).isEqualTo("/23");
        assertThat(valueOf(snapshot, "10.245.3.128")).isEqualTo("/25");
        assertThat(valueOf(snapshot, "10.245.3.255")).isEqualTo("/25");
        assertThat(valueOf(snapshot, "10.245.3.0")).isEqualTo("/31");
        assertThat(valueOf(snapshot, "10.245.3.1")).isEqualTo("/31");
        assertThat(valueOf(snapshot, "10.245.3.2")).isEqualTo("/23");
        assertThat(valueOf(snapshot, "10.245.4.0")).isEqualTo("/15");
        assertThat(snapshot.lookup(ip("10.246.0.0"))).isEqualTo(RouteSnapshot.NO_ROUTE);
        assertThat(snapshot.lookup(ip("10.243.255.255"))).isEqualTo(RouteSnapshot.NO_ROUTE);
    }

    @Test
    void shouldMatchBoundaryAddressesWhenHostRoutesSitAtTheEnds() {
        put("0.0.0.0/32", "zero");
        put("255.255.255.255/32", "broadcast");
        put("128.0.0.0/1", "upper half");
        final RouteSnapshot<String> snapshot = table.publish();

        assertThat(valueOf(snapshot, "0.0.0.0")).isEqualTo("zero");
        assertThat(snapshot.lookup(ip("0.0.0.1"))).isEqualTo(RouteSnapshot.NO_ROUTE);
        assertThat(snapshot.lookup(ip("127.255.255.255"))).isEqualTo(RouteSnapshot.NO_ROUTE);
        assertThat(valueOf(snapshot, "128.0.0.0")).isEqualTo("upper half");
        assertThat(valueOf(snapshot, "255.255.255.254")).isEqualTo("upper half");
        assertThat(valueOf(snapshot, "255.255.255.255")).isEqualTo("broadcast");
    }

    @Test
    void shouldFallBackToTheShorterPrefixWhenTheLongerIsRemoved() {
        put("10.244.0.0/16", "/16");
        put("10.244.1.0/24", "/24");
        table.publish();

        assertThat(table.remove(ip("10.244.1.0"), 24)).isEqualTo("/24");
        assertThat(table.remove(ip("10.244.1.0"), 24)).isNull();
        assertThat(table.remove(ip("10.244.1.0"), 25)).isNull();
        final RouteSnapshot<String> snapshot = table.publish();

        assertThat(valueOf(snapshot, "10.244.1.1")).isEqualTo("/16");
        assertThat(snapshot.size()).isEqualTo(1);
    }

    @Test
    void shouldReplaceTheValueWhenThePrefixIsPutAgain() {
        put("10.244.1.0/24", "old");

        assertThat(table.put(ip("10.244.1.0"), 24, "new")).isEqualTo("old");
        assertThat(valueOf(table.publish(), "10.244.1.1")).isEqualTo("new");
        assertThat(table.snapshot().size()).isEqualTo(1);
    }

    @Test
    void shouldShowChangesOnlyAfterPublishWhenWriterBatches() {
        put("10.244.1.0/24", "node-1");
        final RouteSnapshot<String> first = table.publish();
        put("10.244.2.0/24", "node-2");
        table.remove(ip("10.244.1.0"), 24);

        assertThat(table.snapshot()).isSameAs(first);
        assertThat(valueOf(first, "10.244.1.1")).isEqualTo("node-1");
        assertThat(first.lookup(ip("10.244.2.1"))).isEqualTo(RouteSnapshot.NO_ROUTE);

        final RouteSnapshot<String> second = table.publish();

        assertThat(table.snapshot()).isSameAs(second);
        assertThat(second.lookup(ip("10.244.1.1"))).isEqualTo(RouteSnapshot.NO_ROUTE);
        assertThat(valueOf(second, "10.244.2.1")).isEqualTo("node-2");
        assertThat(valueOf(first, "10.244.1.1")).as("an old snapshot never changes").isEqualTo("node-1");
    }

    @Test
    void shouldKeepTheSnapshotWhenNothingChangedSincePublish() {
        put("10.244.1.0/24", "node-1");
        final RouteSnapshot<String> published = table.publish();
        table.remove(ip("10.244.9.0"), 24);

        assertThat(table.publish()).isSameAs(published);
    }

    @Test
    void shouldReplaceEveryRouteWhenReplacingAll() {
        put("10.244.1.0/24", "stale");
        put("10.244.2.0/24", "node-2");
        table.publish();

        table.replaceAll(List.of(
            route("10.244.2.0/24", "node-2 moved"),
            route("10.244.3.0/24", "node-3"),
            route("10.244.3.0/24", "node-3 again")));
        final RouteSnapshot<String> snapshot = table.publish();

        assertThat(snapshot.size()).isEqualTo(2);
        assertThat(snapshot.lookup(ip("10.244.1.1"))).isEqualTo(RouteSnapshot.NO_ROUTE);
        assertThat(valueOf(snapshot, "10.244.2.1")).isEqualTo("node-2 moved");
        assertThat(valueOf(snapshot, "10.244.3.1")).as("a later route wins").isEqualTo("node-3 again");

        table.replaceAll(List.of());
        assertThat(table.publish().size()).isZero();
    }

    @Test
    void shouldShowNewValuesAndKeepOldSnapshotsWhenOnlyValuesChange() {
        table.replaceAll(List.of(route("10.244.1.0/24", "a"), route("10.244.2.0/24", "b")));
        final RouteSnapshot<String> first = table.publish();

        table.replaceAll(List.of(route("10.244.1.0/24", "a moved"), route("10.244.2.0/24", "b moved")));
        final RouteSnapshot<String> moved = table.publish();
        table.replaceAll(List.of(route("10.244.1.0/24", "a moved"), route("10.244.3.0/24", "c")));
        final RouteSnapshot<String> changed = table.publish();

        assertThat(valueOf(moved, "10.244.1.1")).isEqualTo("a moved");
        assertThat(valueOf(moved, "10.244.2.1")).isEqualTo("b moved");
        assertThat(valueOf(first, "10.244.1.1")).as("a snapshot already published").isEqualTo("a");
        assertThat(valueOf(first, "10.244.2.1")).isEqualTo("b");
        assertThat(valueOf(changed, "10.244.3.1")).isEqualTo("c");
        assertThat(changed.lookup(ip("10.244.2.1"))).isEqualTo(RouteSnapshot.NO_ROUTE);
        assertThat(valueOf(moved, "10.244.2.1")).isEqualTo("b moved");
    }

    @Test
    void shouldKeepAnOldSnapshotsFirstLevelWhenALaterBuildChangesIt() {
        table.replaceAll(List.of(route("10.244.1.0/24", "a")));
        final RouteSnapshot<String> first = table.publish();

        table.replaceAll(List.of(route("10.0.0.0/8", "wide"), route("10.245.1.0/24", "b")));
        final RouteSnapshot<String> second = table.publish();
        table.replaceAll(List.of(route("192.168.0.0/16", "c")));
        final RouteSnapshot<String> third = table.publish();

        assertThat(valueOf(first, "10.244.1.1")).isEqualTo("a");
        assertThat(first.lookup(ip("10.1.2.3"))).as("the /8 came later").isEqualTo(RouteSnapshot.NO_ROUTE);
        assertThat(first.lookup(ip("192.168.1.1"))).isEqualTo(RouteSnapshot.NO_ROUTE);
        assertThat(valueOf(second, "10.1.2.3")).isEqualTo("wide");
        assertThat(valueOf(second, "10.245.1.9")).isEqualTo("b");
        assertThat(second.lookup(ip("192.168.1.1"))).isEqualTo(RouteSnapshot.NO_ROUTE);
        assertThat(valueOf(third, "192.168.1.1")).isEqualTo("c");
        assertThat(third.lookup(ip("10.1.2.3"))).isEqualTo(RouteSnapshot.NO_ROUTE);
    }

    @Test
    void shouldChangeNothingWhenReplaceAllFails() {
        put("10.244.1.0/24", "node-1");
        table.publish();
        final List<Route<String>> withNull = new ArrayList<>();
        withNull.add(route("10.244.2.0/24", "node-2"));
        withNull.add(null);

        assertThatThrownBy(() -> table.replaceAll(withNull)).isInstanceOf(NullPointerException.class);
        assertThat(valueOf(table.publish(), "10.244.1.1")).isEqualTo("node-1");
        assertThat(table.snapshot().size()).isEqualTo(1);
    }

    @Test
    void shouldRejectWhenPrefixLengthIsOutOfRange() {
        assertThatThrownBy(() -> table.put(0, 33, "x"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("IPv4 prefix length 33 is outside 0..32");
        assertThatThrownBy(() -> table.put(0, -1, "x"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("IPv4 prefix length -1 is outside 0..32");
        assertThatThrownBy(() -> table.remove(0, 33)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Route<>(0, 40, "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRejectWhenHostBitsAreSet() {
        assertThatThrownBy(() -> table.put(ip("10.244.1.1"), 24, "x"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("10.244.1.1/24 has host bits set beyond the prefix length; the network is 10.244.1.0/24");
        assertThatThrownBy(() -> table.put(ip("0.0.0.1"), 0, "x"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("the network is 0.0.0.0/0");
        assertThatThrownBy(() -> table.remove(ip("10.244.1.128"), 24)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Route<>(ip("10.244.1.1"), 31, "x"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("the network is 10.244.1.0/31");
        assertThat(table.publish().size()).isZero();
    }

    @Test
    void shouldRejectWhenValueIsNull() {
        assertThatThrownBy(() -> table.put(ip("10.244.1.0"), 24, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Route<>(ip("10.244.1.0"), 24, null)).isInstanceOf(NullPointerException.class);
    }

    private void put(final String cidr, final String value) {
        final Ipv4Prefix prefix = Ipv4Prefix.parse(cidr);
        table.put(prefix.address(), prefix.length(), value);
    }

    private static Route<String> route(final String cidr, final String value) {
        final Ipv4Prefix prefix = Ipv4Prefix.parse(cidr);
        return new Route<>(prefix.address(), prefix.length(), value);
    }

    private static String valueOf(final RouteSnapshot<String> snapshot, final String address) {
        final int routeIndex = snapshot.lookup(ip(address));
        assertThat(routeIndex).as("route to %s", address).isNotEqualTo(RouteSnapshot.NO_ROUTE);
        return snapshot.value(routeIndex);
    }

    private static int ip(final String dotted) {
        return Ipv4Addresses.parse(dotted);
    }
}
