package io.weft.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The embedded lease registry: a file with flannel's etcd content,
 * {"config": {...network config...}, "subnets": {"10.244.1.0-24": {"PublicIP": "..."}, ...}}.
 * Bad lease entries are skipped and reported, like garbage in etcd; a bad config fails.
 */
public final class StaticLeaseFile {
    private StaticLeaseFile() {
    }

    public record Contents(NetworkConfig config, List<Lease> leases, List<String> skipped) {
    }

    public static Contents load(final Path file) throws IOException {
        final JsonNode root;
        try {
            root = Json.read(Files.readString(file));
        } catch (final IOException e) {
            throw new IOException("cannot read lease file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException("lease file " + file + " must hold a JSON object with \"config\" and \"subnets\"");
        }
        final NetworkConfig config;
        try {
            config = NetworkConfig.parse(root.get("config"));
        } catch (final NetworkConfig.InvalidConfigException e) {
            throw new IOException("invalid network config in " + file + ": " + e.getMessage(), e);
        }
        final List<Lease> leases = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        final JsonNode subnets = root.path("subnets");
        for (final Map.Entry<String, JsonNode> entry : subnets.properties()) {
            try {
                leases.add(LeaseCodec.decode(entry.getKey(), entry.getValue(), config));
            } catch (final IllegalArgumentException e) {
                skipped.add("subnets/" + entry.getKey() + ": " + e.getMessage());
            }
        }
        return new Contents(config, List.copyOf(leases), List.copyOf(skipped));
    }
}
