package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CniTest {
    static final String BRIDGE_RESULT = String.join("\n",
        "{",
        "    \"cniVersion\": \"0.3.1\",",
        "    \"interfaces\": [",
        "        {\"name\": \"cni0\", \"mac\": \"36:16:8e:91:15:e8\"},",
        "        {\"name\": \"veth60e2857f\", \"mac\": \"1a:51:5d:b2:8f:8a\"},",
        "        {\"name\": \"eth0\", \"mac\": \"86:b6:b2:e8:d6:45\", \"sandbox\": \"/run/netns/wtzz-n1-a\"}",
        "    ],",
        "    \"ips\": [",
        "        {\"version\": \"4\", \"interface\": 2, \"address\": \"10.244.1.2/24\", \"gateway\": \"10.244.1.1\"}",
        "    ],",
        "    \"routes\": [{\"dst\": \"10.244.0.0/16\"}, {\"dst\": \"0.0.0.0/0\", \"gw\": \"10.244.1.1\"}],",
        "    \"dns\": {}",
        "}");

    @Test
    void shouldExposeFirstAddressWhenBridgeResultIsParsed() {
        CniResult result = CniResult.parse(BRIDGE_RESULT);

        assertThat(result.ips()).hasSize(1);
        assertThat(result.firstIp().address()).isEqualTo("10.244.1.2/24");
        assertThat(result.firstIp().ip()).isEqualTo("10.244.1.2");
        assertThat(result.firstIp().gateway()).isEqualTo("10.244.1.1");
        assertThat(result.firstIp().version()).isEqualTo("4");
        assertThat(result.node().path("routes")).hasSize(2);
    }

    @Test
    void shouldRefuseFirstIpWhenResultHasNoIps() {
        CniResult result = CniResult.parse("{\"cniVersion\":\"0.3.1\",\"dns\":{}}");

        assertThat(result.ips()).isEmpty();
        assertThatThrownBy(result::firstIp).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRejectResultWhenMalformed() {
        for (String bad : List.of("", "not json", "[]", "{\"ips\":{}}", "{\"ips\":[{\"gateway\":\"1.1.1.1\"}]}",
            "{\"ips\":[{\"address\":4}]}")) {
            assertThatThrownBy(() -> CniResult.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void shouldAddNameVersionAndDataDirWhenSplittingConflist() {
        String conflist = "{\"name\":\"cbr0\",\"cniVersion\":\"0.3.1\",\"plugins\":[{\"type\":\"bridge\","
            + "\"bridge\":\"cni0\",\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.244.1.0/24\"}]]}},"
            + "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}]}";

        List<ObjectNode> configs = Cni.pluginConfigs(conflist, Path.of("/tmp/weft-x/ipam/n1"));

        assertThat(configs).hasSize(2);
        ObjectNode bridge = configs.get(0);
        assertThat(bridge.get("name").asText()).isEqualTo("cbr0");
        assertThat(bridge.get("cniVersion").asText()).isEqualTo("0.3.1");
        assertThat(bridge.get("bridge").asText()).isEqualTo("cni0");
        assertThat(bridge.at("/ipam/dataDir").asText()).isEqualTo("/tmp/weft-x/ipam/n1");
        assertThat(bridge.at("/ipam/ranges/0/0/subnet").asText()).isEqualTo("10.244.1.0/24");
        ObjectNode portmap = configs.get(1);
        assertThat(portmap.get("name").asText()).isEqualTo("cbr0");
        assertThat(portmap.has("ipam")).isFalse();
        assertThat(portmap.has("prevResult")).isFalse();
        assertThat(portmap.at("/capabilities/portMappings").asBoolean()).isTrue();
    }

    @Test
    void shouldRejectConflistWhenPluginsOrTypeAreMissing() {
        Path dir = Path.of("/tmp/x");
        for (String bad : List.of("{}", "nope", "{\"name\":\"a\",\"cniVersion\":\"0.3.1\",\"plugins\":[]}",
            "{\"name\":\"a\",\"cniVersion\":\"0.3.1\",\"plugins\":[{\"type\":\"../../bin/sh\"}]}",
            "{\"name\":\"a\",\"cniVersion\":\"0.3.1\",\"plugins\":[{}]}")) {
            assertThatThrownBy(() -> Cni.pluginConfigs(bad, dir)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
