package io.weft.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.weft.routing.Ipv4Prefix;

class NetworkConfigChangeTest {
    private static final NetworkConfig RUNNING = config("{'Network':'10.244.0.0/16'}");
    private static final Ipv4Prefix OURS = Ipv4Prefix.parse("10.244.7.0/24");

    @Test
    void shouldApplyAWidenedNetworkWithItsDefaultsWhenItHoldsOurSubnet() {
        final NetworkConfigChange change = NetworkConfigChange.of(RUNNING, config("{'Network':'10.244.0.0/15'}"), OURS);

        assertThat(change.applied()).isEqualTo(config("{'Network':'10.244.0.0/15'}"));
        assertThat(change.pending()).isEmpty();
    }

    @Test
    void shouldApplyANarrowedNetworkAndNewSubnetBoundsWhenTheyStillHoldOurSubnet() {
        final NetworkConfig written =
            config("{'Network':'10.244.0.0/20','SubnetMin':'10.244.5.0','SubnetMax':'10.244.9.0'}");

        final NetworkConfigChange change = NetworkConfigChange.of(RUNNING, written, OURS);

        assertThat(change.applied()).isEqualTo(written);
        assertThat(change.pending()).isEmpty();
    }

    @Test
    void shouldKeepTheRunningConfigAndNameTheNetworkWhenItNoLongerHoldsOurSubnet() {
        final NetworkConfigChange change = NetworkConfigChange.of(RUNNING, config("{'Network':'10.50.0.0/16'}"), OURS);

        assertThat(change.applied()).isEqualTo(RUNNING);
        assertThat(change.pending()).containsExactly("Network");
    }

    @Test
    void shouldHoldTheNetworkBackWithSubnetLenWhenBothChange() {
        final NetworkConfigChange change =
            NetworkConfigChange.of(RUNNING, config("{'Network':'10.244.0.0/15','SubnetLen':25}"), OURS);

        assertThat(change.applied()).isEqualTo(RUNNING);
        assertThat(change.pending()).containsExactly("Network", "SubnetLen");
    }

    @Test
    void shouldNameOnlySubnetLenWhenItAloneChangesThoughTheDefaultBoundsFollowIt() {
        final NetworkConfigChange change =
            NetworkConfigChange.of(RUNNING, config("{'Network':'10.244.0.0/16','SubnetLen':25}"), OURS);

        assertThat(change.applied()).isEqualTo(RUNNING);
        assertThat(change.pending()).containsExactly("SubnetLen");
    }

    @Test
    void shouldApplyTheRestButKeepTheRunningPortWhenBackendPortChanges() {
        final NetworkConfigChange change = NetworkConfigChange.of(RUNNING,
            config("{'Network':'10.244.0.0/15','Backend':{'Type':'udp','Port':9000}}"), OURS);

        assertThat(change.applied()).isEqualTo(config("{'Network':'10.244.0.0/15'}"));
        assertThat(change.applied().backendPort()).isEqualTo(8285);
        assertThat(change.pending()).containsExactly("Backend.Port");
    }

    @Test
    void shouldChangeNothingWhenTheConfigIsWrittenAgainAsItRuns() {
        final NetworkConfigChange change =
            NetworkConfigChange.of(RUNNING, config("{'Network':'10.244.0.0/16','Backend':{'Type':'udp'}}"), OURS);

        assertThat(change.applied()).isSameAs(change.applied()).isEqualTo(RUNNING);
        assertThat(change.pending()).isEmpty();
    }

    @Test
    void shouldApplyWithoutAnOwnSubnetWhenTheNodeHasNone() {
        final NetworkConfigChange change = NetworkConfigChange.of(RUNNING, config("{'Network':'10.50.0.0/16'}"), null);

        assertThat(change.applied()).isEqualTo(config("{'Network':'10.50.0.0/16'}"));
        assertThat(change.pending()).isEmpty();
    }

    @Test
    void shouldKeepEverythingAndNameBackendTypeWhenTheBackendIsNotUdp() {
        final NetworkConfigChange change = NetworkConfigChange.unsupportedBackend(RUNNING);

        assertThat(change.applied()).isEqualTo(RUNNING);
        assertThat(change.pending()).containsExactly("Backend.Type");
        assertThat(NetworkConfig.backendType(NetworkConfigTest.json("{'Backend':{'Type':'vxlan'}}")))
            .isEqualTo("vxlan");
        assertThat(NetworkConfig.backendType(NetworkConfigTest.json("{'Network':'10.0.0.0/8'}"))).isEqualTo("udp");
    }

    private static NetworkConfig config(final String json) {
        return NetworkConfig.parse(NetworkConfigTest.json(json));
    }
}
