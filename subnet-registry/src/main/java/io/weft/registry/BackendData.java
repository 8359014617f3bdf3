package io.weft.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;

/**
 * What a weftd says of itself beyond flannel's PublicIP, in the lease value's BackendData (etcd) or the backend-data
 * annotation (kube), both of which flanneld's udp backend ignores:
 * <pre>
 * {"WeftPartialChecksums":true}         it takes inner TCP and UDP packets whose checksum is left partial
 * {"WeftKey":"&lt;base64&gt;","WeftEpoch":n} its X25519 public key and the epoch of its current start: it
 *                                       authenticates datagrams with the nodes that advertise a key too
 * </pre>
 * A key that is not 32 bytes of base64, or comes without a positive epoch, is read as no key: the node is then treated
 * as a flanneld, and it is the authenticating side that refuses what it sends.
 *
 * @param key   base64 of the raw 32-byte X25519 public key, or null
 * @param epoch the sender's epoch (part of every traffic key it uses), positive with a key, else 0
 */
public record BackendData(boolean partialChecksums, String key, long epoch) {
    /** What flanneld's udp backend advertises: nothing. */
    public static final BackendData NONE = new BackendData(false, null, 0);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEY_LENGTH = 32;
    private static final String PARTIAL_CHECKSUMS = "WeftPartialChecksums";
    private static final String KEY = "WeftKey";
    private static final String EPOCH = "WeftEpoch";

    public BackendData {
        if (key != null && (epoch <= 0 || !isKey(key))) {
            throw new IllegalArgumentException("a WeftKey must be 32 bytes of base64 with a positive WeftEpoch");
        }
    }

    public static BackendData partialChecksums(final boolean partialChecksums) {
        return partialChecksums ? new BackendData(true, null, 0) : NONE;
    }

    public boolean hasKey() {
        return key != null;
    }

    /** The raw public key; only with {@link #hasKey()}. */
    public byte[] keyBytes() {
        return Base64.getDecoder().decode(key);
    }

    /** Reads a backend-data annotation leniently: what is not JSON says nothing, as flanneld ignores it for udp. */
    public static BackendData parse(final String json) {
        if (json == null) {
            return NONE;
        }
        try {
            return decode(JSON.readTree(json));
        } catch (final Exception e) {
            return NONE;
        }
    }

    /** The JSON text to write: "null" when there is nothing to say, as flanneld's udp backend writes. */
    public String toJson() {
        final ObjectNode node = encode();
        return node == null ? "null" : node.toString();
    }

    /** Reads what a lease or annotation carries; whatever else it holds is ignored, as flanneld ignores it all. */
    static BackendData decode(final JsonNode data) {
        if (data == null || !data.isObject()) {
            return NONE;
        }
        final boolean partialChecksums = data.path(PARTIAL_CHECKSUMS).asBoolean(false);
        final JsonNode key = data.path(KEY);
        final JsonNode epoch = data.path(EPOCH);
        if (key.isTextual() && isKey(key.asText()) && epoch.canConvertToLong() && epoch.asLong() > 0) {
            return new BackendData(partialChecksums, key.asText(), epoch.asLong());
        }
        return partialChecksums(partialChecksums);
    }

    /** The JSON object to write, or null when there is nothing to say (flanneld's udp backend writes none). */
    ObjectNode encode() {
        if (!partialChecksums && key == null) {
            return null;
        }
        final ObjectNode node = JSON.createObjectNode();
        if (partialChecksums) {
            node.put(PARTIAL_CHECKSUMS, true);
        }
        if (key != null) {
            node.put(KEY, key);
            node.put(EPOCH, epoch);
        }
        return node;
    }

    private static boolean isKey(final String text) {
        try {
            return Base64.getDecoder().decode(text).length == KEY_LENGTH;
        } catch (final IllegalArgumentException e) {
            return false;
        }
    }
}
