package io.weft.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LeaseOrderTest {
    private static Lease lease(String subnet) {
        return new Lease(Ipv4Prefix.parse(subnet), Ipv4Addresses.parse("192.168.213.1"));
    }

    @Test
    void shouldDeliverLeasesInAscendingSubnetOrderWithAddressesAbove128Last() {
        List<Lease> expected = List.of(lease("10.0.0.0/24"), lease("10.244.0.8/29"), lease("10.244.1.0/24"),
            lease("127.255.255.0/24"), lease("128.0.0.0/24"), lease("200.1.0.0/16"), lease("255.255.255.0/24"));
        List<Lease> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new Random(7));

        assertThat(LeaseChanges.bySubnet(shuffled)).containsExactlyElementsOf(expected);
    }

    @Test
    void shouldKeepEveryLeaseWhenThousandsAreSorted() {
        List<Lease> leases = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            leases.add(new Lease(new Ipv4Prefix(Ipv4Addresses.parse("10.244.0.0") + (i << 3), 29), i));
        }
        List<Lease> shuffled = new ArrayList<>(leases);
        Collections.shuffle(shuffled, new Random(11));

        assertThat(LeaseChanges.bySubnet(shuffled)).containsExactlyElementsOf(leases);
    }
}
