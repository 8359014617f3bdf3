package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.registry.BackendData;
import io.weft.registry.Json;
import io.weft.routing.Ipv4Addresses;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaseChurnTest {
    private static int ip(String dotted) {
        return Ipv4Addresses.parse(dotted);
    }

    @Test
    void shouldTakeTheNetworksFreeSubnetsAfterItsFirstInOrder() {
        List<Integer> free = LeaseChurn.freeSubnets("10.244.0.0/16", 29, Set.of(ip("10.244.0.16")), 3);

        assertThat(free).containsExactly(ip("10.244.0.8"), ip("10.244.0.24"), ip("10.244.0.32"));
    }

    @Test
    void shouldRefuseMoreLeasesThanTheNetworkHasFreeSubnets() {
        assertThatThrownBy(() -> LeaseChurn.freeSubnets("10.244.0.0/16", 18, Set.of(ip("10.244.64.0")), 3))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 2 free subnets of /18, not 3");
    }

    @Test
    void shouldWriteFlanneldsKeyAndValueWithAPublicIpToldFromRealNodesAndAKeyWeftdTakes() throws Exception {
        assertThat(LeaseChurn.subnetKey(ip("10.244.1.8"), 29)).isEqualTo("10.244.1.8-29");
        String value = LeaseChurn.value(ip("172.16.0.7"), "10.244.1.8-29", 3);
        assertThat(value).startsWith("{\"PublicIP\":\"172.16.0.7\",\"PublicIPv6\":null,\"BackendData\":{");
        BackendData data = BackendData.parse(Json.read(value).get("BackendData").toString());
        assertThat(data.hasKey()).isTrue();
        assertThat(data.epoch()).isEqualTo(3);
        assertThat(LeaseChurn.value(ip("172.24.0.7"), "10.244.1.8-29", 4)).as("a node keeps its key across moves")
            .contains(data.key());
        assertThat(LeaseChurn.isSynthetic(ip("172.16.0.7"))).isTrue();
        assertThat(LeaseChurn.isSynthetic(ip("172.31.255.255"))).isTrue();
        assertThat(LeaseChurn.isSynthetic(ip("172.32.0.1"))).isFalse();
        assertThat(LeaseChurn.isSynthetic(ip("192.168.213.1"))).isFalse();
    }
}
