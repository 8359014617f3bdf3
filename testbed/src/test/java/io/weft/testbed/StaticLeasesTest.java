package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticLeasesTest {

    @Test
    void shouldWriteFlannelKeysAndValuesWhenGivenCidrs(@TempDir Path dir) throws IOException {
        Map<String, String> subnets = new LinkedHashMap<>();
        subnets.put("10.244.1.0/24", "192.168.213.1");
        subnets.put("10.244.2.0/24", "192.168.213.2");
        Path file = dir.resolve("leases/static.json");

        StaticLeases.write(file, "10.244.0.0/16", 24, 8285, subnets);

        JsonNode root = new ObjectMapper().readTree(Files.readString(file));
        JsonNode expected = new ObjectMapper().readTree("{\"config\":{\"Network\":\"10.244.0.0/16\",\"SubnetLen\":24,"
            + "\"Backend\":{\"Type\":\"udp\",\"Port\":8285}},\"subnets\":{"
            + "\"10.244.1.0-24\":{\"PublicIP\":\"192.168.213.1\",\"PublicIPv6\":null},"
            + "\"10.244.2.0-24\":{\"PublicIP\":\"192.168.213.2\",\"PublicIPv6\":null}}}");
        assertThat(root).isEqualTo(expected);
        assertThat(root.get("subnets").fieldNames()).toIterable().containsExactly("10.244.1.0-24", "10.244.2.0-24");
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void shouldRejectSubnetWhenNotACidr() {
        assertThatThrownBy(() -> StaticLeases.render("10.244.0.0/16", 24, 8285, Map.of("10.244.1.0-24", "1.2.3.4"),
            Set.of()))
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(StaticLeases.subnetKey("10.244.17.0/24")).isEqualTo("10.244.17.0-24");
    }
}
