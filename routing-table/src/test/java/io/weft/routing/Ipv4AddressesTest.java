package io.weft.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4AddressesTest {
    @Test
    void shouldParseInNetworkByteOrderWhenDottedQuadIsValid() {
        assertThat(Ipv4Addresses.parse("10.244.1.0")).isEqualTo(0x0AF40100);
        assertThat(Ipv4Addresses.parse("0.0.0.0")).isZero();
        assertThat(Ipv4Addresses.parse("255.255.255.255")).isEqualTo(0xFFFFFFFF);
        assertThat(Ipv4Addresses.parse("192.168.100.1")).isEqualTo(0xC0A86401);
    }

    @Test
    void shouldFormatUnsignedOctetsWhenAddressIsNegative() {
        assertThat(Ipv4Addresses.format(0xC0A86401)).isEqualTo("192.168.100.1");
        assertThat(Ipv4Addresses.format(0xFFFFFFFF)).isEqualTo("255.255.255.255");
        assertThat(Ipv4Addresses.format(0)).isEqualTo("0.0.0.0");
    }

    @Test
    void shouldRoundTripWhenAddressesAreRandom() {
        final long seed = 0x1F4A_11CEL;
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 10_000; i++) {
            final int address = random.nextInt();
            assertThat(Ipv4Addresses.parse(Ipv4Addresses.format(address)))
                .as("seed %d, address %08x", seed, address)
                .isEqualTo(address);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", ".", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "256.0.0.1", "1.2.3.1000", "01.2.3.4",
        "1.2.3.04", "1.2.3.-4", "1.2.3.+4", " 1.2.3.4", "1.2.3.4 ", "a.b.c.d", "1.2.3.4/24", "1,2,3,4", "::1"})
    void shouldRejectWhenDottedQuadIsMalformed(final String malformed) {
        assertThatThrownBy(() -> Ipv4Addresses.parse(malformed))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("invalid IPv4 address \"" + malformed + "\"");
    }

    @Test
    void shouldRejectWhenMalformedQuadIsRandomText() {
        final long seed = 0xBAD_F00DL;
        final SplittableRandom random = new SplittableRandom(seed);
        final char[] alphabet = "0123456789..x/-".toCharArray();
        for (int i = 0; i < 10_000; i++) {
            final char[] text = new char[random.nextInt(20)];
            for (int c = 0; c < text.length; c++) {
                text[c] = alphabet[random.nextInt(alphabet.length)];
            }
            final String candidate = new String(text);
            try {
                final int address = Ipv4Addresses.parse(candidate);
                assertThat(Ipv4Addresses.format(address)).as("seed %d", seed).isEqualTo(candidate);
            } catch (final IllegalArgumentException expected) {
                assertThat(expected).as("seed %d, \"%s\"", seed, candidate).hasMessageContaining(candidate);
            }
        }
    }

    @Test
    void shouldGiveNetworkMaskWhenPrefixLengthIsInRange() {
        assertThat(Ipv4Addresses.mask(0)).isZero();
        assertThat(Ipv4Addresses.mask(1)).isEqualTo(0x80000000);
        assertThat(Ipv4Addresses.mask(16)).isEqualTo(0xFFFF0000);
        assertThat(Ipv4Addresses.mask(24)).isEqualTo(0xFFFFFF00);
        assertThat(Ipv4Addresses.mask(31)).isEqualTo(0xFFFFFFFE);
        assertThat(Ipv4Addresses.mask(32)).isEqualTo(0xFFFFFFFF);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 33, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void shouldRejectMaskWhenPrefixLengthIsOutOfRange(final int prefixLength) {
        assertThatThrownBy(() -> Ipv4Addresses.mask(prefixLength))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("IPv4 prefix length " + prefixLength + " is outside 0..32");
    }
}
