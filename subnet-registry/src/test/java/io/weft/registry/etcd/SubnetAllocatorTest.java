package io.weft.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import io.weft.registry.NetworkConfig;
import io.weft.routing.Ipv4Prefix;

class SubnetAllocatorTest {
    private static final NetworkConfig NETWORK = config("{\"Network\":\"10.244.0.0/16\"}");

    @Test
    void shouldTakeThePreviousSubnetWhenItIsFree() {
        final Ipv4Prefix chosen = SubnetAllocator.choose(NETWORK, List.of(prefix("10.244.1.0/24")),
            prefix("10.244.9.0/24"), new Random(1));

        assertThat(chosen).isEqualTo(prefix("10.244.9.0/24"));
    }

    @Test
    void shouldIgnoreThePreviousSubnetWhenItIsTakenOrDoesNotFit() {
        final NetworkConfig narrow = config("{\"Network\":\"10.244.0.0/16\",\"SubnetMin\":\"10.244.10.0\"," +
            "\"SubnetMax\":\"10.244.11.0\"}");
        final List<Ipv4Prefix> taken = List.of(prefix("10.244.10.0/24"));

        for (final String previous : new String[] {"10.244.10.0/24", "10.244.12.0/24", "10.244.0.0/24",
            "10.245.11.0/24", "10.244.11.0/25"}) {
            assertThat(SubnetAllocator.choose(narrow, taken, prefix(previous), new Random(2)))
                .as(previous).isEqualTo(prefix("10.244.11.0/24"));
        }
    }

    @Test
    void shouldChooseAmongTheFirstHundredFreeSubnetsWhenThereIsNoPrevious() {
        final List<Ipv4Prefix> taken = new ArrayList<>();
        for (int i = 1; i <= 50; i += 2) {
            taken.add(prefix("10.244." + i + ".0/24"));
        }
        final List<Ipv4Prefix> firstHundredFree = SubnetAllocator.firstFree(NETWORK, taken, 100);
        assertThat(firstHundredFree).hasSize(100).doesNotContainAnyElementsOf(taken)
            .startsWith(prefix("10.244.2.0/24"), prefix("10.244.4.0/24"));

        final Random random = new Random(3);
        final Set<Ipv4Prefix> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            final Ipv4Prefix chosen = SubnetAllocator.choose(NETWORK, taken, null, random);
            assertThat(firstHundredFree).contains(chosen);
            seen.add(chosen);
        }
        assertThat(seen).as("spread over all candidates").hasSize(100);
    }

    @Test
    void shouldReturnNullWhenEverySubnetIsTaken() {
        final NetworkConfig tiny = config("{\"Network\":\"10.1.0.0/24\",\"SubnetLen\":26}");
        final List<Ipv4Prefix> taken = List.of(prefix("10.1.0.64/26"), prefix("10.1.0.128/26"),
            prefix("10.1.0.192/26"));

        assertThat(SubnetAllocator.choose(tiny, taken, null, new Random(4))).isNull();
    }

    @Test
    void shouldTreatKeysOfOtherLengthsAsTakenWhenTheyOverlap() {
        final NetworkConfig narrow = config("{\"Network\":\"10.244.0.0/16\",\"SubnetMin\":\"10.244.4.0\"," +
            "\"SubnetMax\":\"10.244.8.0\"}");
        final List<Ipv4Prefix> taken = List.of(prefix("10.244.4.0/22"), prefix("10.244.8.128/25"));

        assertThat(SubnetAllocator.firstFree(narrow, taken, 100)).isEmpty();
        assertThat(SubnetAllocator.overlaps(prefix("10.244.0.0/16"), prefix("10.244.3.0/24"))).isTrue();
        assertThat(SubnetAllocator.overlaps(prefix("10.244.3.0/24"), prefix("10.244.4.0/24"))).isFalse();
    }

    @Test
    void shouldStopAtTheTopOfTheAddressSpaceWhenTheNetworkEndsThere() {
        final NetworkConfig top = config("{\"Network\":\"255.255.255.0/24\",\"SubnetLen\":26}");

        assertThat(SubnetAllocator.firstFree(top, List.of(), 100)).containsExactly(prefix("255.255.255.64/26"),
            prefix("255.255.255.128/26"), prefix("255.255.255.192/26"));
    }

    private static Ipv4Prefix prefix(final String cidr) {
        return Ipv4Prefix.parse(cidr);
    }

    private static NetworkConfig config(final String json) {
        try {
            return NetworkConfig.parse(new ObjectMapper().readTree(json));
        } catch (final Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
