package io.weft.registry;

import com.fasterxml.jackson.databind.JsonNode;

import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;

/**
 * flannel's network config ({@code <prefix>/config}), validated. Defaults as flannel's: SubnetLen 24, SubnetMin the
 * second subnet, SubnetMax the last subnet, Backend.Port 8285.
 */
public record NetworkConfig(Ipv4Prefix network, int subnetLength, int subnetMin, int subnetMax, int backendPort) {
    public static final int DEFAULT_SUBNET_LENGTH = 24;
    public static final int DEFAULT_BACKEND_PORT = 8285;

    /** Parses and validates; the exception message names the key and what is wrong with it. */
    public static NetworkConfig parse(final JsonNode config) {
        if (config == null || !config.isObject()) {
            throw new InvalidConfigException("network config must be a JSON object");
        }
        final Ipv4Prefix network = parseNetwork(config.get("Network"));
        final int subnetLength = intValue(config, "SubnetLen", DEFAULT_SUBNET_LENGTH);
        // As flannel: the Network must hold at least four subnets, since the first one is never leased.
        if (subnetLength < network.length() + 2 || subnetLength > 30) {
            throw new InvalidConfigException("SubnetLen " + subnetLength + " must be at least the Network prefix /" +
                network.length() + " + 2 (four subnets) and at most 30");
        }
        final int subnetSize = 1 << (32 - subnetLength);
        final int networkSize = (int)(1L << (32 - network.length()));
        final int subnetMin = addressValue(config, "SubnetMin", network.address() + subnetSize);
        final int subnetMax = addressValue(config, "SubnetMax", network.address() + networkSize - subnetSize);
        checkSubnet("SubnetMin", subnetMin, network, subnetLength);
        checkSubnet("SubnetMax", subnetMax, network, subnetLength);
        if (Integer.compareUnsigned(subnetMin, subnetMax) > 0) {
            throw new InvalidConfigException("SubnetMin " + Ipv4Addresses.format(subnetMin) + " is after SubnetMax " +
                Ipv4Addresses.format(subnetMax));
        }
        final JsonNode backend = config.get("Backend");
        final String type = backendType(config);
        if (!"udp".equals(type)) {
            throw new InvalidConfigException("Backend.Type is \"" + type + "\": weftd implements the udp backend only");
        }
        final int port = backend == null ? DEFAULT_BACKEND_PORT : intValue(backend, "Port", DEFAULT_BACKEND_PORT);
        if (port < 1 || port > 65535) {
            throw new InvalidConfigException("Backend.Port " + port + " is not a UDP port");
        }
        return new NetworkConfig(network, subnetLength, subnetMin, subnetMax, port);
    }

    /** {@code Backend.Type} of a config object, "udp" when not given; any other is a backend weftd does not have. */
    public static String backendType(final JsonNode config) {
        final JsonNode backend = config.get("Backend");
        return backend == null || backend.get("Type") == null ? "udp" : backend.get("Type").asText();
    }

    /** For the log: "Network 10.244.0.0/16, SubnetLen 24, SubnetMin 10.244.1.0, SubnetMax ..., udp port 8285". */
    public String describe() {
        return "Network " + network + ", SubnetLen " + subnetLength + ", SubnetMin " + Ipv4Addresses.format(subnetMin) +
            ", SubnetMax " + Ipv4Addresses.format(subnetMax) + ", udp port " + backendPort;
    }

    /** True when {@code subnet} is a subnet of this network with the configured length. */
    public boolean holds(final Ipv4Prefix subnet) {
        return subnet.length() == subnetLength && network.contains(subnet.address());
    }

    private static Ipv4Prefix parseNetwork(final JsonNode node) {
        if (node == null || !node.isTextual()) {
            throw new InvalidConfigException("Network is missing or not a string like \"10.244.0.0/16\"");
        }
        final String text = node.asText();
        final int slash = text.indexOf('/');
        try {
            final int length = Integer.parseInt(text.substring(slash + 1));
            // flannel masks host bits off the configured network rather than refusing it.
            return new Ipv4Prefix(Ipv4Addresses.parse(text.substring(0, slash)) & Ipv4Addresses.mask(length), length);
        } catch (final RuntimeException e) {
            throw new InvalidConfigException("Network \"" + text + "\" is not an IPv4 CIDR: " + e.getMessage());
        }
    }

    private static int intValue(final JsonNode node, final String key, final int defaultValue) {
        final JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new InvalidConfigException(key + " is " + Json.write(value) + ", not an integer");
        }
        return value.intValue();
    }

    private static int addressValue(final JsonNode node, final String key, final int defaultValue) {
        final JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        try {
            return Ipv4Addresses.parse(value.asText());
        } catch (final IllegalArgumentException e) {
            throw new InvalidConfigException(key + " is " + Json.write(value) + ", not an IPv4 address");
        }
    }

    private static void checkSubnet(final String key, final int address, final Ipv4Prefix network,
        final int subnetLength) {
        if (!network.contains(address) || (address & ~Ipv4Addresses.mask(subnetLength)) != 0) {
            throw new InvalidConfigException(key + " " + Ipv4Addresses.format(address) + " is not the start of a /" +
                subnetLength + " inside Network " + network);
        }
    }

    /** A network config that cannot be used; the message names the key. */
    public static final class InvalidConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidConfigException(final String message) {
            super(message);
        }
    }
}
