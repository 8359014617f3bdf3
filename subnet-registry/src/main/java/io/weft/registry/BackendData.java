package io.weft.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;

/**
 * What a weftd says of itself beyond flannel's PublicIP, in the lease value's BackendData (etcd) or the backend-data
 * annotation (kube), both of which flanneld's udp backend ignores:
 * <pre>
 * {"WeftPartialChecksums":true}         it takes inner TCP and UDP packets whose checksum is left partial
 * {"WeftKey":"&lt;base64&gt;","WeftEpoch":n} its X25519 public key and the epoch of its current start: it
 *                                       authenticates datagrams with the nodes that advertise a key too
 * {"WeftOtherKey":"&lt;base64&gt;"}          while it rotates its key, the other key it also opens with: the next one
 *                                       (not yet sealing with it), then the previous one (sealing with WeftKey)
 * </pre>
 * A key that is not 32 bytes of base64, or comes without a positive epoch, is read as no key: the node is then treated
 * as a flanneld, and it is the authenticating side that refuses what it sends.
 *
 * @param key   base64 of the raw 32-byte X25519 public key, or null
 * @param epoch the sender's epoch (part of every traffic key it uses), positive with a key, else 0
 * @param otherKey base64 of a second key the node takes datagrams under while it rotates, or null
 */
public record BackendData(boolean partialChecksums, String key, long epoch, String otherKey) {
    /** What flanneld's udp backend advertises: nothing. */
    public static final BackendData NONE = new BackendData(false, null, 0, null);

    private static final int KEY_LENGTH = 32;
    private static final String PARTIAL_CHECKSUMS = "WeftPartialChecksums";
    private static final String KEY = "WeftKey";
    private static final String EPOCH = "WeftEpoch";
    private static final String OTHER_KEY = "WeftOtherKey";

    public BackendData {
        if (key != null && (epoch <= 0 || !isKey(key))) {
            throw new IllegalArgumentException("a WeftKey must be 32 bytes of base64 with a positive WeftEpoch");
        }
        if (otherKey != null && (key == null || !isKey(otherKey) || otherKey.equals(key))) {
            throw new IllegalArgumentException("a WeftOtherKey must be 32 bytes of base64 beside another WeftKey");
        }
    }

    /** A node's one key, not rotating. */
    public BackendData(final boolean partialChecksums, final String key, final long epoch) {
        this(partialChecksums, key, epoch, null);
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

    public boolean hasOtherKey() {
        return otherKey != null;
    }

    /** The raw other key; only with {@link #hasOtherKey()}. */
    public byte[] otherKeyBytes() {
        return Base64.getDecoder().decode(otherKey);
    }

    /** Reads a backend-data annotation leniently: what is not JSON says nothing, as flanneld ignores it for udp. */
    public static BackendData parse(final String json) {
        if (json == null) {
            return NONE;
        }
        try {
            return decode(Json.read(json));
        } catch (final Exception e) {
            return NONE;
        }
    }

    /** The JSON text to write: "null" when there is nothing to say, as flanneld's udp backend writes. */
    public String toJson() {
        final ObjectNode node = encode();
        return node == null ? "null" : Json.write(node);
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
            final JsonNode other = data.path(OTHER_KEY);
            final boolean hasOther = other.isTextual() && isKey(other.asText()) && !other.asText().equals(key.asText());
            return new BackendData(partialChecksums, key.asText(), epoch.asLong(), hasOther ? other.asText() : null);
        }
        return partialChecksums(partialChecksums);
    }

    /** The JSON object to write, or null when there is nothing to say (flanneld's udp backend writes none). */
    ObjectNode encode() {
        if (!partialChecksums && key == null) {
            return null;
        }
        final ObjectNode node = Json.object();
        if (partialChecksums) {
            node.put(PARTIAL_CHECKSUMS, true);
        }
        if (key != null) {
            node.put(KEY, key);
            node.put(EPOCH, epoch);
        }
        if (otherKey != null) {
            node.put(OTHER_KEY, otherKey);
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
