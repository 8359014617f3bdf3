package io.weft.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4PrefixTest {
    @Test
    void shouldParseAddressAndLengthWhenCidrIsValid() {
        final Ipv4Prefix prefix = Ipv4Prefix.parse("10.244.1.0/24");

        assertThat(prefix.address()).isEqualTo(0x0AF40100);
        assertThat(prefix.length()).isEqualTo(24);
        assertThat(prefix).hasToString("10.244.1.0/24");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0/0", "10.0.0.0/8", "10.244.0.0/16", "255.255.255.255/32", "128.0.0.0/1"})
    void shouldRoundTripWhenCidrIsValid(final String cidr) {
        assertThat(Ipv4Prefix.parse(cidr)).hasToString(cidr);
    }

    @Test
    void shouldNameTheNetworkWhenHostBitsAreSet() {
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.244.1.1/24"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("10.244.1.1/24 has host bits set beyond the prefix length; the network is 10.244.1.0/24");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "10.244.1.0", "10.244.1.0/", "10.244.1.0/33", "10.244.1.0/024", "10.244.1.0/-1", "10.244.1.0/2 4",
        "10.244.1.0/24/24", "/24", "10.244.1/24", "10.244.1.0/100"})
    void shouldRejectWhenCidrIsMalformed(final String malformed) {
        assertThatThrownBy(() -> Ipv4Prefix.parse(malformed))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("invalid IPv4");
    }

    @Test
    void shouldContainAddressesWhenTheyShareThePrefix() {
        final Ipv4Prefix prefix = Ipv4Prefix.parse("10.244.0.0/16");

        assertThat(prefix.contains(Ipv4Addresses.parse("10.244.0.0"))).isTrue();
        assertThat(prefix.contains(Ipv4Addresses.parse("10.244.255.255"))).isTrue();
        assertThat(prefix.contains(Ipv4Addresses.parse("10.245.0.0"))).isFalse();
        assertThat(prefix.contains(Ipv4Addresses.parse("10.243.255.255"))).isFalse();
        assertThat(Ipv4Prefix.parse("0.0.0.0/0").contains(0xFFFFFFFF)).isTrue();
    }
}
