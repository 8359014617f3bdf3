package io.weft.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Every /24 of a /8: the most subnets a flannel Network of /8 with SubnetLen 24 can lease. */
class RouteTableScaleTest {
    private static final int NETWORK = Ipv4Addresses.parse("10.0.0.0");
    private static final int SUBNETS = 1 << 16;

    @Test
    void shouldRouteEverySubnetToItsNodeWhenAllSubnetsOfASlash8AreLeased() {
        final RouteTable<Integer> table = new RouteTable<>();
        table.put(NETWORK, 8, -1);
        for (int subnet = 0; subnet < SUBNETS; subnet++) {
            table.put(NETWORK | (subnet << 8), 24, subnet);
        }
        final RouteSnapshot<Integer> snapshot = table.publish();

        assertThat(snapshot.size()).isEqualTo(SUBNETS + 1);
        for (int subnet = 0; subnet < SUBNETS; subnet++) {
            final int network = NETWORK | (subnet << 8);
            for (final int host : new int[] {0, 1, 0x80, 0xFF}) {
                final int routeIndex = snapshot.lookup(network | host);
                assertThat(routeIndex).as("route to %s", Ipv4Addresses.format(network | host)).isNotNegative();
                if (snapshot.value(routeIndex) != subnet || snapshot.prefix(routeIndex) != network ||
                    snapshot.prefixLength(routeIndex) != 24) {
                    assertThat(snapshot.value(routeIndex)).as("node of %s", Ipv4Addresses.format(network | host))
                        .isEqualTo(subnet);
                    assertThat(Ipv4Addresses.format(snapshot.prefix(routeIndex)) + "/" +
                        snapshot.prefixLength(routeIndex)).isEqualTo(Ipv4Addresses.format(network) + "/24");
                }
            }
        }
        assertThat(snapshot.lookup(Ipv4Addresses.parse("9.255.255.255"))).isEqualTo(RouteSnapshot.NO_ROUTE);
        assertThat(snapshot.lookup(Ipv4Addresses.parse("11.0.0.0"))).isEqualTo(RouteSnapshot.NO_ROUTE);
    }

    @Test
    void shouldFallBackToTheNetworkRouteWhenHalfTheSubnetsAreRemoved() {
        final RouteTable<Integer> table = new RouteTable<>();
        table.put(NETWORK, 8, -1);
        for (int subnet = 0; subnet < SUBNETS; subnet++) {
            table.put(NETWORK | (subnet << 8), 24, subnet);
        }
        table.publish();
        for (int subnet = 0; subnet < SUBNETS; subnet += 2) {
            table.remove(NETWORK | (subnet << 8), 24);
        }
        final RouteSnapshot<Integer> snapshot = table.publish();

        assertThat(snapshot.size()).isEqualTo(SUBNETS / 2 + 1);
        for (int subnet = 0; subnet < SUBNETS; subnet++) {
            final int address = NETWORK | (subnet << 8) | 0x42;
            final int expected = subnet % 2 == 0 ? -1 : subnet;
            final int value = snapshot.value(snapshot.lookup(address));
            if (value != expected) {
                assertThat(value).as("node of %s", Ipv4Addresses.format(address)).isEqualTo(expected);
            }
        }
    }
}
