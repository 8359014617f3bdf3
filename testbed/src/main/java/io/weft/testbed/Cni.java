package io.weft.testbed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs a CNI conflist's plugins in chain (CNI spec 0.3.1), the way a container runtime does for ADD. */
final class Cni {
    static final String BIN_DIR_PROPERTY = "weft.cni.path";
    static final String IFNAME = "eth0";
    private static final Duration PLUGIN_TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Cni() {
    }

    static Path binDir() {
        return Path.of(System.getProperty(BIN_DIR_PROPERTY, "/usr/lib/cni"));
    }

    /** ADD: each plugin runs in the node namespace; returns the last plugin's result. */
    static CniResult add(Node node, String podNetns, String conflistJson, Path ipamDataDir) {
        List<ObjectNode> configs = pluginConfigs(conflistJson, ipamDataDir);
        try {
            Files.createDirectories(ipamDataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = Map.of(
            "CNI_COMMAND", "ADD",
            "CNI_CONTAINERID", podNetns,
            "CNI_NETNS", "/run/netns/" + podNetns,
            "CNI_IFNAME", IFNAME,
            "CNI_PATH", binDir().toString());
        CniResult previous = null;
        for (ObjectNode config : configs) {
            if (previous != null) {
                config.set("prevResult", previous.node());
            }
            String type = config.get("type").asText();
            List<String> command = Shell.inNetns(node.name(), List.of(binDir().resolve(type).toString()));
            byte[] stdin = config.toString().getBytes(StandardCharsets.UTF_8);
            ExecResult result = Shell.run(command, env, stdin, PLUGIN_TIMEOUT);
            if (!result.ok()) {
                throw new TestbedException("CNI plugin " + type + " ADD failed for pod " + podNetns + " on "
                    + node.name() + " (exit " + result.exitCode() + ")" + Shell.section("stderr", result.stderr())
                    + Shell.section("stdout", result.stdout()) + Shell.section("config", config.toString()));
            }
            if (!result.stdout().isBlank()) {
                previous = CniResult.parse(result.stdout());
            }
        }
        if (previous == null) {
            throw new TestbedException("CNI chain for pod " + podNetns + " printed no result");
        }
        return previous;
    }

    /**
     * The network configuration of each plugin: the plugin object plus the list's "name" and "cniVersion", with
     * ipam.dataDir pointed at {@code ipamDataDir} (host-local would otherwise share /var/lib/cni/networks).
     */
    static List<ObjectNode> pluginConfigs(String conflistJson, Path ipamDataDir) {
        JsonNode list;
        try {
            list = JSON.readTree(conflistJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("conflist is not JSON: " + e.getOriginalMessage(), e);
        }
        if (list == null || !list.path("name").isTextual() || !list.path("cniVersion").isTextual()
            || !list.path("plugins").isArray() || list.path("plugins").isEmpty()) {
            throw new IllegalArgumentException("conflist needs \"name\", \"cniVersion\" and a non-empty \"plugins\": "
                + conflistJson);
        }
        List<ObjectNode> configs = new ArrayList<>();
        for (JsonNode plugin : list.get("plugins")) {
            if (!plugin.isObject() || !plugin.path("type").asText("").matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("conflist plugin without a plain \"type\": " + plugin);
            }
            ObjectNode config = ((ObjectNode) plugin).deepCopy();
            config.set("name", list.get("name"));
            config.set("cniVersion", list.get("cniVersion"));
            if (config.get("ipam") instanceof ObjectNode ipam) {
                ipam.put("dataDir", ipamDataDir.toString());
            }
            configs.add(config);
        }
        return configs;
    }
}
