package io.weft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;

class LeaseCodecTest {
    /** Byte for byte what flanneld's udp backend stores under {@code <prefix>/subnets/10.244.1.0-24}. */
    private static final String FLANNEL_VALUE = "{\"PublicIP\":\"192.168.100.1\",\"PublicIPv6\":null}";
    private static final NetworkConfig CONFIG =
        NetworkConfig.parse(NetworkConfigTest.json("{'Network':'10.244.0.0/16'}"));

    @Test
    void shouldDecodeFlannelsValueWhenItIsExactlyWhatFlannelWrites() {
        final Lease lease = LeaseCodec.decode("10.244.1.0-24", FLANNEL_VALUE, CONFIG);

        assertThat(lease).isEqualTo(new Lease(Ipv4Prefix.parse("10.244.1.0/24"), ip("192.168.100.1")));
        assertThat(lease.keyName()).isEqualTo("10.244.1.0-24");
        assertThat(lease).hasToString("10.244.1.0/24 -> 192.168.100.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"PublicIP\":\"192.168.100.2\"}",
        "{\"PublicIP\":\"192.168.100.2\",\"BackendType\":\"udp\"}",
        "{\"PublicIP\":\"192.168.100.2\",\"PublicIPv6\":null,\"BackendType\":\"vxlan\"," +
            "\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:ff\"}}",
        "{\"BackendData\":null,\"PublicIPv6\":\"fd00::2\",\"PublicIP\":\"192.168.100.2\",\"BackendV6Data\":[1,2]}",
        " {\n  \"PublicIP\" : \"192.168.100.2\"\n}\n"})
    void shouldIgnoreExtraFieldsWhenTheValueHasThem(final String value) {
        final Lease lease = LeaseCodec.decode("10.244.2.0-24", value, CONFIG);

        assertThat(lease.publicIp()).isEqualTo(ip("192.168.100.2"));
        assertThat(lease.subnet()).isEqualTo(Ipv4Prefix.parse("10.244.2.0/24"));
    }

    @Test
    void shouldDecodeFromAJsonNodeWhenTheValueIsAlreadyParsed() {
        final Lease lease =
            LeaseCodec.decode("10.244.3.0-24", NetworkConfigTest.json("{'PublicIP':'10.0.0.3'}"), CONFIG);

        assertThat(lease).isEqualTo(new Lease(Ipv4Prefix.parse("10.244.3.0/24"), ip("10.0.0.3")));
    }

    @Test
    void shouldEncodeExactlyFlannelsValueWhenGivenAPublicIp() {
        assertThat(LeaseCodec.encodeValue(ip("192.168.100.1"))).isEqualTo(FLANNEL_VALUE);
    }

    @Test
    void shouldSayPartialChecksumsInBackendDataWhenWeftTakesThemAndReadThemBack() {
        final String value = LeaseCodec.encodeValue(ip("192.168.100.1"), true);

        assertThat(value).isEqualTo("{\"PublicIP\":\"192.168.100.1\",\"PublicIPv6\":null," +
            "\"BackendData\":{\"WeftPartialChecksums\":true}}");
        final Lease lease = LeaseCodec.decode("10.244.1.0-24", value, CONFIG);
        assertThat(lease).isEqualTo(new Lease(Ipv4Prefix.parse("10.244.1.0/24"), ip("192.168.100.1"), true));
        assertThat(lease).hasToString("10.244.1.0/24 -> 192.168.100.1 (partial checksums)");
        assertThat(LeaseCodec.encodeValue(ip("192.168.100.1"), false)).isEqualTo(FLANNEL_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"PublicIP\":\"192.168.100.2\"}",
        "{\"PublicIP\":\"192.168.100.2\",\"BackendData\":null}",
        "{\"PublicIP\":\"192.168.100.2\",\"BackendData\":\"WeftPartialChecksums\"}",
        "{\"PublicIP\":\"192.168.100.2\",\"BackendData\":{\"WeftPartialChecksums\":false}}",
        "{\"PublicIP\":\"192.168.100.2\",\"BackendData\":{\"WeftPartialChecksums\":\"yes\"}}",
        "{\"PublicIP\":\"192.168.100.2\",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:ff\"}}"})
    void shouldTakeChecksumsAsCompleteWhenTheLeaseDoesNotSayPartialPlainly(final String value) {
        assertThat(LeaseCodec.decode("10.244.2.0-24", value, CONFIG).partialChecksums()).isFalse();
    }

    @Test
    void shouldRoundTripWhenPublicIpsAndSubnetsAreRandom() {
        final Random random = new Random(0x5EED_1EA5EL);
        for (int run = 0; run < 10_000; run++) {
            // Loopback, multicast, 0.0.0.0 and 255.255.255.255 are refused (see below): a node's address is not one.
            final int publicIp = random.nextInt(0x7F00_0000 - 1) + 1;
            final Ipv4Prefix subnet = new Ipv4Prefix(ip("10.244.0.0") | (random.nextInt(256) << 8), 24);
            final Lease lease = new Lease(subnet, publicIp);

            final Lease decoded = LeaseCodec.decode(lease.keyName(), LeaseCodec.encodeValue(publicIp), CONFIG);

            assertThat(decoded).as("run %d", run).isEqualTo(lease);
            assertThat(LeaseCodec.parseKey(lease.keyName())).isEqualTo(subnet);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "10.244.1.0/24", "10.244.1.0", "10.244.1.0-", "-24", "10.244.1.0-33", "10.244.1.0--24", "10.244.1-24",
        "foo-24", "10.244.1.0-24x", "10.244.1.0-2 4", "10.244.1.1-24", "", " 10.244.1.0-24"})
    void shouldNameTheKeyWhenItIsNotASubnetName(final String key) {
        assertThatThrownBy(() -> LeaseCodec.decode(key, FLANNEL_VALUE, CONFIG))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("key \"" + key + "\" is not a subnet name like 10.244.1.0-24");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "10.244.1.0-024", "10.244.1.0-+24", "10.244.1.0-0024", "10.244.1.0-24 ", "10.244.1.0- 24",
        "10.244.1.0-\u0662\u0664",
        "10.244.1.5-24", "10.244.1.0-024-24", "010.244.1.0-24", "10.244.1.0-2_4", "10.244.1.0/24-24"})
    void shouldRefuseTheKeyWhenItNamesASubnetOtherThanInItsOneCanonicalForm(final String key) {
        assertThatThrownBy(() -> LeaseCodec.decode(key, FLANNEL_VALUE, CONFIG))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("key \"" + key + "\" is not a subnet name like 10.244.1.0-24");
    }

    /** Whatever a key looks like, an accepted one is the lease's own name: two keys can never name one subnet. */
    @Test
    void shouldAcceptOnlyCanonicalKeysWhenKeysAreMutatedAtRandom() {
        final Random random = new Random(0x5EED_CA40L);
        final String[] insertions = {"0", "00", "+", "-", " ", "1", "9", ".", "/", "\t", "0x", "\u0663"};
        int accepted = 0;
        for (int run = 0; run < 50_000; run++) {
            final StringBuilder key = new StringBuilder("10.244." + random.nextInt(256) + "." +
                (random.nextInt(4) == 0 ? random.nextInt(256) : 0) + "-" + (random.nextInt(4) == 0 ? 23 : 24));
            for (int mutations = random.nextInt(3); mutations > 0; mutations--) {
                key.insert(random.nextInt(key.length() + 1), insertions[random.nextInt(insertions.length)]);
            }
            try {
                final Lease lease = LeaseCodec.decode(key.toString(), FLANNEL_VALUE, CONFIG);
                accepted++;
                assertThat(lease.keyName()).as("key %s", key).isEqualTo(key.toString());
                assertThat(LeaseCodec.parseKey(key.toString())).isEqualTo(lease.subnet());
            } catch (final IllegalArgumentException e) {
                assertThat(e.getMessage()).as("key %s", key).isNotBlank();
            }
        }
        assertThat(accepted).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "127.0.0.1", "127.0.0.0", "127.255.255.255", "127.1.2.3", "224.0.0.1",
        "224.0.0.0", "239.255.255.250", "239.255.255.255", "230.1.2.3", "255.255.255.255"})
    void shouldRefuseThePublicIpWhenNoNodeCanBeReachedAtIt(final String publicIp) {
        final String value = "{\"PublicIP\":\"" + publicIp + "\",\"PublicIPv6\":null}";

        assertThatThrownBy(() -> LeaseCodec.decode("10.244.1.0-24", value, CONFIG))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("PublicIP \"" + publicIp + "\" is ")
            .hasMessageEndingWith(": not a node's underlay address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.1", "1.0.0.0", "126.255.255.255", "128.0.0.0", "223.255.255.255", "240.0.0.0",
        "255.255.255.254", "10.0.0.1", "192.168.100.1"})
    void shouldAcceptThePublicIpWhenItIsNextToARefusedRange(final String publicIp) {
        final String value = "{\"PublicIP\":\"" + publicIp + "\"}";

        assertThat(LeaseCodec.decode("10.244.1.0-24", value, CONFIG).publicIp()).isEqualTo(ip(publicIp));
    }

    @Test
    void shouldRefuseExactlyLoopbackMulticastBroadcastAndZeroWhenPublicIpsAreRandom() {
        final Random random = new Random(0x5EED_0B0DL);
        for (int run = 0; run < 100_000; run++) {
            final int publicIp = run < 256 ? run << 24 | random.nextInt(1 << 24) : random.nextInt();
            final int firstOctet = publicIp >>> 24;
            final boolean refused = publicIp == 0 || publicIp == -1 || firstOctet == 127 ||
                (firstOctet >= 224 && firstOctet <= 239);
            final String value = LeaseCodec.encodeValue(publicIp, false);
            if (refused) {
                assertThatThrownBy(() -> LeaseCodec.decode("10.244.1.0-24", value, CONFIG)).as(value)
                    .isInstanceOf(IllegalArgumentException.class);
            } else {
                assertThat(LeaseCodec.decode("10.244.1.0-24", value, CONFIG).publicIp()).as(value)
                    .isEqualTo(publicIp);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.245.1.0-24", "10.0.0.0-8", "10.244.1.0-25", "10.244.0.0-16", "10.244.0.0-23"})
    void shouldSayWhyWhenTheSubnetIsOutsideNetworkOrOfTheWrongLength(final String key) {
        final String subnet = key.replace('-', '/');

        assertThatThrownBy(() -> LeaseCodec.decode(key, FLANNEL_VALUE, CONFIG))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("subnet " + subnet + " is not a /24 inside Network 10.244.0.0/16");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{PublicIP:1}", "{\"PublicIP\":\"192.168.100.1\"", "<xml/>", "PublicIP=1.2.3.4"})
    void shouldSayTheValueIsNotJsonWhenItCannotBeParsed(final String value) {
        assertThatThrownBy(() -> LeaseCodec.decode("10.244.1.0-24", value, CONFIG))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("value is not JSON: " + value);
    }

    @Test
    void shouldAbbreviateTheValueWhenItIsLong() {
        final String value = "{" + "x".repeat(500);

        assertThatThrownBy(() -> LeaseCodec.decode("10.244.1.0-24", value, CONFIG))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("value is not JSON: " + value.substring(0, 77) + "...");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{}", "{\"PublicIPv6\":null}", "{\"publicip\":\"192.168.100.1\"}", "{\"PublicIP\":null}",
        "{\"PublicIP\":3232261121}", "{\"PublicIP\":[\"192.168.100.1\"]}", "[]", "null", "\"192.168.100.1\"", "42",
        ""})
    void shouldSayPublicIpIsMissingWhenTheValueHasNoPublicIpString(final String value) {
        assertThatThrownBy(() -> LeaseCodec.decode("10.244.1.0-24", value, CONFIG))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("value has no PublicIP string: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "192.168.100", "192.168.100.256", "192.168.100.1/24", "fd00::1", "192.168.100.01",
        "localhost", " 192.168.100.1"})
    void shouldQuotePublicIpWhenItIsNotAnIpv4Address(final String publicIp) {
        final String value = "{\"PublicIP\":\"" + publicIp + "\",\"PublicIPv6\":null}";

        assertThatThrownBy(() -> LeaseCodec.decode("10.244.1.0-24", value, CONFIG))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("PublicIP \"" + publicIp + "\" is not an IPv4 address");
    }

    @Test
    void shouldOnlyThrowIllegalArgumentWhenKeysAndValuesAreRandom() {
        final Random random = new Random(0x5EED_DEC0DEL);
        final String alphabet = "0123456789.-/{}[]\":,PublicIP nul";
        int decoded = 0;
        for (int run = 0; run < 20_000; run++) {
            final String key = random.nextInt(3) == 0 ? randomText(random, alphabet, 16)
                : "10.244." + random.nextInt(300) + ".0-" + (22 + random.nextInt(5));
            final String value = switch (random.nextInt(3)) {
                case 0 -> randomText(random, alphabet, 40);
                case 1 -> "{\"PublicIP\":\"" + randomText(random, "0123456789.", 15) + "\"}";
                default -> "{\"PublicIP\":\"" + random.nextInt(300) + "." + random.nextInt(256) + ".0." +
                    random.nextInt(300) + "\",\"PublicIPv6\":null}";
            };
            try {
                final Lease lease = LeaseCodec.decode(key, value, CONFIG);
                decoded++;
                assertThat(CONFIG.holds(lease.subnet())).as("%s = %s", key, value).isTrue();
                assertThat(Ipv4Addresses.format(lease.publicIp())).as("%s = %s", key, value).isNotEmpty();
            } catch (final IllegalArgumentException e) {
                assertThat(e.getMessage()).as("%s = %s", key, value).isNotBlank();
            }
        }
        assertThat(decoded).isPositive();
    }

    private static String randomText(final Random random, final String alphabet, final int maxLength) {
        final StringBuilder text = new StringBuilder();
        final int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private static int ip(final String dotted) {
        return io.weft.routing.Ipv4Addresses.parse(dotted);
    }
}
