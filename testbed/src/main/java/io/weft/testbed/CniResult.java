package io.weft.testbed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** A CNI ADD result (spec 0.3.x): the JSON a plugin printed, with its ips parsed. */
public final class CniResult {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode json;
    private final List<IpConfig> ips;

    private CniResult(JsonNode json, List<IpConfig> ips) {
        this.json = json;
        this.ips = List.copyOf(ips);
    }

    /** One entry of "ips": address with prefix length ({@code 10.244.1.2/24}) and gateway (may be null). */
    public record IpConfig(String version, String address, String gateway) {
        /** The address without its prefix length. */
        public String ip() {
            int slash = address.indexOf('/');
            return slash < 0 ? address : address.substring(0, slash);
        }
    }

    public static CniResult parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("CNI result is not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("CNI result is not a JSON object: " + text);
        }
        List<IpConfig> ips = new ArrayList<>();
        JsonNode list = root.path("ips");
        if (!list.isMissingNode() && !list.isArray()) {
            throw new IllegalArgumentException("CNI result: \"ips\" is not an array: " + list);
        }
        for (JsonNode ip : list) {
            JsonNode address = ip.get("address");
            if (address == null || !address.isTextual()) {
                throw new IllegalArgumentException("CNI result: ips entry without address: " + ip);
            }
            ips.add(new IpConfig(text(ip, "version"), address.asText(), text(ip, "gateway")));
        }
        return new CniResult(root, ips);
    }

    public List<IpConfig> ips() {
        return ips;
    }

    /** ips[0]; throws when the chain assigned no address. */
    public IpConfig firstIp() {
        if (ips.isEmpty()) {
            throw new IllegalStateException("CNI result has no ips: " + json);
        }
        return ips.get(0);
    }

    /** The result as JSON text (what the next plugin gets as prevResult). */
    public String json() {
        return json.toString();
    }

    JsonNode node() {
        return json;
    }

    @Override
    public String toString() {
        return json();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
