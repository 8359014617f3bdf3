package io.weft.dataplane.node;

import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** flanneld's --iface: repeatable, by name or address, the first present wins; else the default route's. */
class UnderlayTest {
    private static final String HEADER =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";

    @Test
    void shouldFindTheInterfaceByNameOrByAddressWhenGivenEither() throws IOException {
        assertThat(Underlay.discover(List.of("lo"), 0)).isEqualTo(
            new Underlay("lo", ip("127.0.0.1"), ip("127.0.0.1"), Underlay.discover(List.of("lo"), 0).mtu()));
        assertThat(Underlay.discover(List.of("127.0.0.1"), 0).iface()).isEqualTo("lo");
    }

    @Test
    void shouldBindTheInterfaceAddressAndAdvertiseThePublicOneWhenBehindNat() throws IOException {
        final Underlay nat = Underlay.discover(List.of("lo"), ip("203.0.113.7"));

        assertThat(nat.publicIp()).isEqualTo(ip("203.0.113.7"));
        assertThat(nat.bindIp()).isEqualTo(ip("127.0.0.1"));
        assertThat(Underlay.discover(List.of(), ip("127.0.0.1")).bindIp()).isEqualTo(ip("127.0.0.1"));
    }

    @Test
    void shouldTakeTheInterfaceTheKernelRoutesTheAddressThroughWhenGivenIfaceCanReach() throws IOException {
        final Underlay reaching = Underlay.discover(List.of(), List.of(), ip("127.0.0.2"), 0);

        assertThat(reaching.iface()).isEqualTo("lo");
        assertThat(reaching.publicIp()).as("the source the kernel picks").isEqualTo(ip("127.0.0.1"));
    }

    @Test
    void shouldTakeTheFirstPresentWhenGivenSeveral() throws IOException {
        assertThat(Underlay.discover(List.of("weftnosuch0", "192.0.2.123", "lo"), 0).iface()).isEqualTo("lo");
    }

    @Test
    void shouldNameEveryChoiceWhenNoneIsPresent() {
        assertThatThrownBy(() -> Underlay.discover(List.of("weftnosuch0", "192.0.2.123"), 0))
            .isInstanceOf(IOException.class).hasMessageContaining("--iface weftnosuch0, 192.0.2.123");
    }

    @Test
    void shouldMatchAnAddressBeforeANameWhenGivenRegexes() throws IOException {
        final Underlay byAddress = Underlay.discover(List.of(), List.of(Pattern.compile("^127\\.0\\.0\\.1$")), 0, 0);
        assertThat(byAddress.iface()).isEqualTo("lo");
        assertThat(byAddress.publicIp()).isEqualTo(ip("127.0.0.1"));
        assertThat(Underlay.discover(List.of(), List.of(Pattern.compile("weftnosuch"), Pattern.compile("^lo$")), 0, 0)
            .iface()).isEqualTo("lo");
        assertThatThrownBy(() -> Underlay.discover(List.of(), List.of(Pattern.compile("weftnosuch")), 0, 0))
            .isInstanceOf(IOException.class).hasMessageContaining("--iface-regex");
    }

    @Test
    void shouldPickTheDefaultRouteWithTheLowestMetricWhenReadingProcNetRoute() {
        assertThat(Underlay.defaultRouteInterface(List.of(HEADER,
            "eth0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
            "eth1\t00000000\t0101A8C0\t0003\t0\t0\t200\t00000000\t0\t0\t0",
            "eth2\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0",
            "eth3\t00000000\t0103A8C0\t0002\t0\t0\t1\t00000000\t0\t0\t0"))).isEqualTo("eth2");
        assertThat(Underlay.defaultRouteInterface(List.of(HEADER,
            "eth0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0"))).isNull();
    }
}
