package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.registry.SubnetEnvFile;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CniConflistTest {
    private static final Ipv4Prefix NETWORK = Ipv4Prefix.parse("10.244.0.0/16");
    private static final Ipv4Prefix SUBNET = Ipv4Prefix.parse("10.244.1.0/24");

    @TempDir
    Path directory;

    @Test
    void shouldWriteSubnetEnvExactlyAsFlannelWhenIpMasqIsOff() {
        assertThat(SubnetEnvFile.render(NETWORK, SUBNET, 1472, false)).isEqualTo(
            "FLANNEL_NETWORK=10.244.0.0/16\n" +
            "FLANNEL_SUBNET=10.244.1.1/24\n" +
            "FLANNEL_MTU=1472\n" +
            "FLANNEL_IPMASQ=false\n");
    }

    @Test
    void shouldWriteTheGatewayAddressAndIpMasqWhenSubnetIsSmallAndIpMasqIsOn() {
        assertThat(SubnetEnvFile.render(Ipv4Prefix.parse("172.16.0.0/12"), Ipv4Prefix.parse("172.16.3.64/26"), 8972,
            true)).isEqualTo(
            "FLANNEL_NETWORK=172.16.0.0/12\n" +
            "FLANNEL_SUBNET=172.16.3.65/26\n" +
            "FLANNEL_MTU=8972\n" +
            "FLANNEL_IPMASQ=true\n");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldBuildFlannelsBridgeConflistWhenParsedBack(final boolean ipMasq) throws IOException {
        final String text = CniConflist.render(NETWORK, SUBNET, 1472, ipMasq);

        assertThat(text).endsWith("}\n");
        final JsonNode conflist = new ObjectMapper().readTree(text);
        assertThat(conflist.path("name").asText()).isEqualTo("cbr0");
        assertThat(conflist.path("cniVersion").asText()).isEqualTo("0.3.1");
        final JsonNode plugins = conflist.path("plugins");
        assertThat(plugins.isArray()).isTrue();
        assertThat(plugins.size()).isEqualTo(2);

        final JsonNode bridge = plugins.get(0);
        assertThat(bridge.path("type").asText()).isEqualTo("bridge");
        assertThat(bridge.path("bridge").asText()).isEqualTo("cni0");
        assertThat(bridge.path("isGateway").isBoolean()).isTrue();
        assertThat(bridge.path("isGateway").booleanValue()).isTrue();
        assertThat(bridge.path("isDefaultGateway").booleanValue()).isTrue();
        assertThat(bridge.path("hairpinMode").booleanValue()).isTrue();
        assertThat(bridge.path("ipMasq").isBoolean()).isTrue();
        assertThat(bridge.path("ipMasq").booleanValue()).as("the bridge masquerades when weftd does not")
            .isEqualTo(!ipMasq);
        assertThat(bridge.path("mtu").isInt()).isTrue();
        assertThat(bridge.path("mtu").intValue()).isEqualTo(1472);
        final JsonNode ipam = bridge.path("ipam");
        assertThat(ipam.path("type").asText()).isEqualTo("host-local");
        final JsonNode ranges = ipam.path("ranges");
        assertThat(ranges.size()).isEqualTo(1);
        assertThat(ranges.get(0).size()).isEqualTo(1);
        assertThat(ranges.get(0).get(0).path("subnet").asText()).isEqualTo("10.244.1.0/24");
        final JsonNode routes = ipam.path("routes");
        assertThat(routes.size()).isEqualTo(1);
        assertThat(routes.get(0).path("dst").asText()).isEqualTo("10.244.0.0/16");

        final JsonNode portmap = plugins.get(1);
        assertThat(portmap.path("type").asText()).isEqualTo("portmap");
        assertThat(portmap.path("capabilities").path("portMappings").booleanValue()).isTrue();
    }

    @Test
    void shouldCreateTheDirectoriesWhenTheyAreMissing() throws IOException {
        final Path file = directory.resolve("run/flannel/subnet.env");

        SubnetEnvFile.writeAtomically(file, "FLANNEL_MTU=1472\n");

        assertThat(file).hasContent("FLANNEL_MTU=1472\n");
        assertThat(listing(file.getParent())).containsExactly("subnet.env");
    }

    @Test
    void shouldReplaceTheContentAndLeaveNoTemporaryFileWhenWrittenAgain() throws IOException {
        final Path file = directory.resolve(CniConflist.FILE_NAME);
        Files.writeString(directory.resolve("99-other.conflist"), "{}");
        final String longer = CniConflist.render(NETWORK, SUBNET, 1472, false);
        final String shorter = "{}\n";

        SubnetEnvFile.writeAtomically(file, longer);
        SubnetEnvFile.writeAtomically(file, shorter);

        assertThat(Files.readString(file)).isEqualTo(shorter);
        assertThat(listing(directory)).containsExactlyInAnyOrder(CniConflist.FILE_NAME, "99-other.conflist");
    }

    @Test
    void shouldNameTheFileWhenItCannotBeWritten() throws IOException {
        final Path notADirectory = directory.resolve("plain-file");
        Files.writeString(notADirectory, "x");
        final Path file = notADirectory.resolve("subnet.env");

        assertThatThrownBy(() -> SubnetEnvFile.writeAtomically(file, "x"))
            .isInstanceOf(IOException.class)
            .hasMessageStartingWith("cannot write " + file + ": ");
    }

    private static List<String> listing(final Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
