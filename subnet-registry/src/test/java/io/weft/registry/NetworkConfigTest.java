package io.weft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;

class NetworkConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldApplyFlannelDefaultsWhenOnlyNetworkIsGiven() {
        final NetworkConfig config = parse("{'Network':'10.244.0.0/16'}");

        assertThat(config.network()).isEqualTo(Ipv4Prefix.parse("10.244.0.0/16"));
        assertThat(config.subnetLength()).isEqualTo(24);
        assertThat(config.subnetMin()).as("the second subnet").isEqualTo(ip("10.244.1.0"));
        assertThat(config.subnetMax()).as("the last subnet, as flannel's Network.Next().IP - subnetSize")
            .isEqualTo(ip("10.244.255.0"));
        assertThat(config.backendPort()).isEqualTo(8285);
    }

    @Test
    void shouldApplyDefaultsWhenBackendHasOnlyItsType() {
        final NetworkConfig config = parse("{'Network':'10.244.0.0/16','SubnetLen':null,'Backend':{'Type':'udp'}}");

        assertThat(config.subnetLength()).isEqualTo(24);
        assertThat(config.backendPort()).isEqualTo(8285);
    }

    @Test
    void shouldTakeEveryValueWhenAllAreGiven() {
        // flannel's documented udp example.
        final NetworkConfig config = parse("{'Network':'10.0.0.0/8','SubnetLen':20,'SubnetMin':'10.10.0.0'," +
            "'SubnetMax':'10.99.0.0','Backend':{'Type':'udp','Port':7890}}");

        assertThat(config).isEqualTo(new NetworkConfig(Ipv4Prefix.parse("10.0.0.0/8"), 20, ip("10.10.0.0"),
            ip("10.99.0.0"), 7890));
    }

    @Test
    void shouldAcceptSubnetMinEqualToSubnetMaxWhenBothAreGiven() {
        final NetworkConfig config =
            parse("{'Network':'10.244.0.0/16','SubnetMin':'10.244.7.0','SubnetMax':'10.244.7.0'}");

        assertThat(config.subnetMin()).isEqualTo(config.subnetMax());
    }

    @Test
    void shouldMaskHostBitsWhenNetworkHasThem() {
        final NetworkConfig config = parse("{'Network':'10.244.17.9/16'}");

        assertThat(config.network()).isEqualTo(Ipv4Prefix.parse("10.244.0.0/16"));
        assertThat(config.subnetMin()).isEqualTo(ip("10.244.1.0"));
    }

    @Test
    void shouldSplitIntoFourSubnetsWhenSubnetLenIsTwoLongerThanNetwork() {
        final NetworkConfig config = parse("{'Network':'10.244.0.0/16','SubnetLen':18}");

        assertThat(config.subnetMin()).isEqualTo(ip("10.244.64.0"));
        assertThat(config.subnetMax()).isEqualTo(ip("10.244.192.0"));
    }

    @Test
    void shouldComputeAlignedDefaultsWhenNetworksAndLengthsAreRandom() {
        final Random random = new Random(0x5EED_C0F1L);
        for (int run = 0; run < 5_000; run++) {
            final int networkLength = random.nextInt(29);
            final int subnetLength = networkLength + 2 + random.nextInt(29 - networkLength);
            final Ipv4Prefix network = new Ipv4Prefix(random.nextInt() & Ipv4Addresses.mask(networkLength),
                networkLength);
            final ObjectNode json = JSON.createObjectNode();
            json.put("Network", network.toString());
            json.put("SubnetLen", subnetLength);
            final String description = network + " SubnetLen " + subnetLength;

            final NetworkConfig config = NetworkConfig.parse(json);

            final int subnetSize = 1 << (32 - subnetLength);
            assertThat(config.subnetMin()).as(description).isEqualTo(network.address() + subnetSize);
            assertThat(config.subnetMax()).as(description)
                .isEqualTo((int)(network.address() + (1L << (32 - networkLength)) - subnetSize));
            assertThat(network.contains(config.subnetMin())).as(description).isTrue();
            assertThat(network.contains(config.subnetMax())).as(description).isTrue();
            assertThat(config.subnetMin() & (subnetSize - 1)).as(description).isZero();
            assertThat(config.subnetMax() & (subnetSize - 1)).as(description).isZero();
            assertThat(Integer.compareUnsigned(config.subnetMin(), config.subnetMax())).as(description).isNegative();
        }
    }

    @Test
    void shouldHoldOnlySubnetsOfTheConfiguredLengthInsideTheNetwork() {
        final NetworkConfig config = parse("{'Network':'10.244.0.0/16'}");

        assertThat(config.holds(Ipv4Prefix.parse("10.244.1.0/24"))).isTrue();
        assertThat(config.holds(Ipv4Prefix.parse("10.244.0.0/24"))).isTrue();
        assertThat(config.holds(Ipv4Prefix.parse("10.244.255.0/24"))).isTrue();
        assertThat(config.holds(Ipv4Prefix.parse("10.244.1.0/25"))).isFalse();
        assertThat(config.holds(Ipv4Prefix.parse("10.244.0.0/16"))).isFalse();
        assertThat(config.holds(Ipv4Prefix.parse("10.245.1.0/24"))).isFalse();
    }

    @Test
    void shouldRefuseWhenConfigIsNotAnObject() {
        assertInvalid(null, "network config must be a JSON object");
        assertInvalid(json("[]"), "network config must be a JSON object");
        assertInvalid(json("'10.244.0.0/16'"), "network config must be a JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{}", "{'SubnetLen':24}", "{'Network':null}", "{'Network':16}", "{'Network':['10.0.0.0/8']}"})
    void shouldNameNetworkWhenItIsMissing(final String config) {
        assertInvalid(json(config), "Network is missing or not a string like \"10.244.0.0/16\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "10.244.0.0", "10.244.0.0/", "10.244.0.0/33", "10.244.0.0/-1", "10.244.0/16", "10.244.0.0.0/16", "x/16", "",
        "/16", "10.244.0.0/16/16", "010.244.0.0/16", "fd00::/64"})
    void shouldNameNetworkWhenItIsNotACidr(final String network) {
        assertInvalid(configWith("Network", network), "Network \"" + network + "\" is not an IPv4 CIDR");
    }

    @ParameterizedTest
    @CsvSource({"10.244.0.0/16, 16", "10.244.0.0/16, 17", "10.244.0.0/16, 8", "10.0.0.0/8, 9", "10.244.0.0/16, -1"})
    void shouldNameSubnetLenWhenItIsTooShortForFourSubnets(final String network, final int subnetLength) {
        assertInvalid(json("{'Network':'" + network + "','SubnetLen':" + subnetLength + "}"),
            "SubnetLen " + subnetLength + " must be at least the Network prefix /" + network.split("/")[1] + " + 2");
    }

    @ParameterizedTest
    @ValueSource(ints = {31, 32, 33, 100})
    void shouldNameSubnetLenWhenItIsLongerThanThirty(final int subnetLength) {
        assertInvalid(json("{'Network':'10.244.0.0/16','SubnetLen':" + subnetLength + "}"),
            "SubnetLen " + subnetLength + " must be at least the Network prefix /16 + 2 (four subnets) and at most " +
                "30");
    }

    @Test
    void shouldNameSubnetLenWhenNetworkIsTooSmallForTheDefault() {
        assertInvalid(json("{'Network':'10.244.0.0/24'}"), "SubnetLen 24 must be at least the Network prefix /24");
    }

    @ParameterizedTest
    @ValueSource(strings = {"'24'", "24.5", "24.0", "true", "[24]", "{}", "1e10", "99999999999"})
    void shouldNameSubnetLenWhenItIsNotAnInteger(final String value) {
        assertInvalid(json("{'Network':'10.244.0.0/16','SubnetLen':" + value + "}"), "SubnetLen is ");
        assertInvalid(json("{'Network':'10.244.0.0/16','SubnetLen':" + value + "}"), ", not an integer");
    }

    @ParameterizedTest
    @CsvSource({
        "SubnetMin, 10.245.1.0", "SubnetMin, 10.243.255.0", "SubnetMin, 10.244.1.1", "SubnetMin, 10.244.1.128",
        "SubnetMax, 10.245.1.0", "SubnetMax, 10.0.0.0", "SubnetMax, 10.244.9.255"})
    void shouldNameTheKeyWhenSubnetMinOrMaxIsOutsideNetworkOrMisaligned(final String key, final String address) {
        assertInvalid(configWith(key, address),
            key + " " + address + " is not the start of a /24 inside Network 10.244.0.0/16");
    }

    @ParameterizedTest
    @CsvSource({"SubnetMin, 10.244.1", "SubnetMin, ''", "SubnetMax, 10.244.256.0", "SubnetMax, 10.244.01.0"})
    void shouldNameTheKeyWhenSubnetMinOrMaxIsNotAnAddress(final String key, final String address) {
        assertInvalid(configWith(key, address), key + " is \"" + address + "\", not an IPv4 address");
    }

    @Test
    void shouldNameBothWhenSubnetMinIsAfterSubnetMax() {
        assertInvalid(json("{'Network':'10.244.0.0/16','SubnetMin':'10.244.9.0','SubnetMax':'10.244.8.0'}"),
            "SubnetMin 10.244.9.0 is after SubnetMax 10.244.8.0");
    }

    @Test
    void shouldCompareUnsignedWhenNetworkIsInTheUpperHalf() {
        final NetworkConfig config = parse("{'Network':'192.168.0.0/16','SubnetMin':'192.168.2.0'}");

        assertThat(config.subnetMax()).isEqualTo(ip("192.168.255.0"));
        assertInvalid(json("{'Network':'192.168.0.0/16','SubnetMin':'192.168.200.0','SubnetMax':'192.168.100.0'}"),
            "SubnetMin 192.168.200.0 is after SubnetMax 192.168.100.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"vxlan", "host-gw", "UDP", "", "alloc"})
    void shouldNameBackendTypeWhenItIsNotUdp(final String type) {
        assertInvalid(json("{'Network':'10.244.0.0/16','Backend':{'Type':'" + type + "','VNI':1}}"),
            "Backend.Type is \"" + type + "\": weftd implements the udp backend only");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536, 100000})
    void shouldNameBackendPortWhenItIsNotAUdpPort(final int port) {
        assertInvalid(json("{'Network':'10.244.0.0/16','Backend':{'Type':'udp','Port':" + port + "}}"),
            "Backend.Port " + port + " is not a UDP port");
    }

    @ParameterizedTest
    @ValueSource(strings = {"'8285'", "8285.5", "false"})
    void shouldNamePortWhenItIsNotAnInteger(final String port) {
        assertInvalid(json("{'Network':'10.244.0.0/16','Backend':{'Type':'udp','Port':" + port + "}}"),
            "Port is ");
    }

    @Test
    void shouldOnlyThrowInvalidConfigWhenValuesAreRandom() {
        final List<String> values = List.of("null", "true", "0", "-1", "8", "16", "24", "30", "31", "65535", "1e3",
            "2.5", "[]", "{}", "''", "'x'", "'10.244.0.0/16'", "'10.244.0.0'", "'10.244.1.0'", "'10.244.255.0'",
            "'255.255.255.255/0'", "'0.0.0.0/0'", "'10.244.1.7/16'", "'10.244.0.0/30'", "'/'", "'1.2.3.4/'",
            "'udp'", "{'Type':'udp'}", "{'Type':'udp','Port':1}", "{'Port':'x'}", "{'Type':null}", "[{'Type':'udp'}]");
        final List<String> keys = List.of("Network", "SubnetLen", "SubnetMin", "SubnetMax", "Backend");
        final Random random = new Random(0x5EED_CF6L);
        int valid = 0;
        for (int run = 0; run < 5_000; run++) {
            final StringBuilder config = new StringBuilder("{");
            for (final String key : keys) {
                if (random.nextInt(4) != 0) {
                    config.append(config.length() > 1 ? "," : "").append('\'').append(key).append("':")
                        .append(values.get(random.nextInt(values.size())));
                }
            }
            final JsonNode node = json(config.append('}').toString());
            try {
                final NetworkConfig parsed = NetworkConfig.parse(node);
                valid++;
                assertThat(parsed.subnetLength()).as(node.toString()).isBetween(parsed.network().length() + 2, 30);
                assertThat(parsed.holds(new Ipv4Prefix(parsed.subnetMin(), parsed.subnetLength())))
                    .as(node.toString()).isTrue();
                assertThat(parsed.holds(new Ipv4Prefix(parsed.subnetMax(), parsed.subnetLength())))
                    .as(node.toString()).isTrue();
                assertThat(parsed.backendPort()).as(node.toString()).isBetween(1, 65535);
            } catch (final NetworkConfig.InvalidConfigException e) {
                assertThat(e.getMessage()).as(node.toString()).isNotBlank();
            }
        }
        assertThat(valid).isPositive();
    }

    private static NetworkConfig parse(final String config) {
        return NetworkConfig.parse(json(config));
    }

    private static JsonNode configWith(final String key, final String value) {
        final ObjectNode config = JSON.createObjectNode();
        config.put("Network", "10.244.0.0/16");
        config.put(key, value);
        return config;
    }

    private static void assertInvalid(final JsonNode config, final String messagePart) {
        assertThatThrownBy(() -> NetworkConfig.parse(config))
            .isInstanceOf(NetworkConfig.InvalidConfigException.class)
            .hasMessageContaining(messagePart);
    }

    /** JSON with single quotes for readability. */
    static JsonNode json(final String singleQuoted) {
        try {
            return JSON.readTree(singleQuoted.replace('\'', '"'));
        } catch (final JsonProcessingException e) {
            throw new IllegalArgumentException(singleQuoted, e);
        }
    }

    private static int ip(final String dotted) {
        return io.weft.routing.Ipv4Addresses.parse(dotted);
    }
}
