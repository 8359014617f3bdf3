package io.weft.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;

/**
 * flannel's lease encoding: key name "10.244.1.0-24", value {"PublicIP":"192.168.100.1","PublicIPv6":null}.
 * Extra fields (BackendType, what newer flannels add) are accepted and ignored. One is weft's own: BackendData, which
 * flanneld ignores (its udp backend reads only PublicIP), says what the node's weftd takes ({@link BackendData}).
 */
public final class LeaseCodec {
    private static final String BACKEND_DATA = "BackendData";

    private LeaseCodec() {
    }

    /** Decodes one lease; the exception message says what is wrong with the key or the value. */
    public static Lease decode(final String keyName, final String value, final NetworkConfig config) {
        final Ipv4Prefix subnet = parseKey(keyName);
        if (!config.holds(subnet)) {
            throw new IllegalArgumentException("subnet " + subnet + " is not a /" + config.subnetLength() +
                " inside Network " + config.network());
        }
        final JsonNode node;
        try {
            node = Json.read(value);
        } catch (final Exception e) {
            throw new IllegalArgumentException("value is not JSON: " + abbreviate(value));
        }
        return new Lease(subnet, publicIp(node), BackendData.decode(node.get(BACKEND_DATA)));
    }

    public static Lease decode(final String keyName, final JsonNode value, final NetworkConfig config) {
        return decode(keyName, Json.write(value), config);
    }

    /** The value flanneld's udp backend writes, byte for byte. */
    static String encodeValue(final int publicIp) {
        return encodeValue(publicIp, BackendData.NONE);
    }

    public static String encodeValue(final int publicIp, final boolean partialChecksums) {
        return encodeValue(publicIp, BackendData.partialChecksums(partialChecksums));
    }

    /** The value weftd writes: flanneld's, with BackendData when it has something to say. */
    public static String encodeValue(final int publicIp, final BackendData backendData) {
        final ObjectNode node = Json.object();
        node.put("PublicIP", Ipv4Addresses.format(publicIp));
        node.putNull("PublicIPv6");
        final ObjectNode data = backendData.encode();
        if (data != null) {
            node.set(BACKEND_DATA, data);
        }
        return Json.write(node);
    }

    /**
     * Parses a key name strictly: a subnet has one name, the one {@link Lease#keyName()} writes. Leading zeros, signs,
     * non-ASCII digits and host bits are refused ({@code Integer.parseInt} takes "024", "+24" and "\u0662\u0664"),
     * so that two keys never name one subnet and no node's choice between them depends on the order it read them in.
     */
    public static Ipv4Prefix parseKey(final String keyName) {
        final int dash = keyName.lastIndexOf('-');
        try {
            if (dash < 0 || keyName.indexOf('/') >= 0) {
                throw new IllegalArgumentException(keyName);
            }
            // Ipv4Prefix.parse takes exactly 0..32 without leading zeros and refuses host bits.
            return Ipv4Prefix.parse(keyName.substring(0, dash) + "/" + keyName.substring(dash + 1));
        } catch (final RuntimeException e) {
            throw new IllegalArgumentException("key \"" + keyName + "\" is not a subnet name like 10.244.1.0-24");
        }
    }

    private static int publicIp(final JsonNode node) {
        final JsonNode publicIp = node == null ? null : node.get("PublicIP");
        if (publicIp == null || !publicIp.isTextual()) {
            final String text = node == null ? "null" : Json.write(node);
            throw new IllegalArgumentException("value has no PublicIP string: " + abbreviate(text));
        }
        final int address;
        try {
            address = Ipv4Addresses.parse(publicIp.asText());
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("PublicIP \"" + publicIp.asText() + "\" is not an IPv4 address");
        }
        final String unreachable = unreachable(address);
        if (unreachable != null) {
            throw new IllegalArgumentException("PublicIP \"" + publicIp.asText() + "\" is " + unreachable +
                ": not a node's underlay address");
        }
        return address;
    }

    /**
     * Why no node can be reached at {@code address}, or null. Datagrams to 0.0.0.0 or 127/8 come back to this node
     * (to weftd's own socket); to 224/4 or 255.255.255.255 they go to every host on the underlay LAN.
     */
    public static String unreachable(final int address) {
        if (address == 0) {
            return "0.0.0.0 (this host)";
        }
        if (address == -1) {
            return "the limited broadcast address";
        }
        if (address >>> 24 == 127) {
            return "a loopback address (127.0.0.0/8)";
        }
        if (address >>> 28 == 0xE) {
            return "a multicast address (224.0.0.0/4)";
        }
        return null;
    }

    private static String abbreviate(final String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
