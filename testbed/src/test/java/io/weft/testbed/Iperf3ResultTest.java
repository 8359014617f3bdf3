package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Iperf3ResultTest {

    @Test
    void shouldReadReceiverThroughputAndRetransmitsWhenTcp() throws IOException {
        Iperf3Result result = Iperf3Result.parse(resource("iperf3-tcp.json"));

        assertThat(result.protocol()).isEqualTo("TCP");
        assertThat(result.receivedBitsPerSecond()).isEqualTo(22019154508.6778);
        assertThat(result.sentBitsPerSecond()).isEqualTo(22101550909.399963);
        assertThat(result.retransmits()).isEqualTo(2);
        assertThat(result.seconds()).isEqualTo(1.000138);
        assertThat(result.packets()).isZero();
    }

    @Test
    void shouldReadPacketsLostAndJitterWhenUdp() throws IOException {
        Iperf3Result result = Iperf3Result.parse(resource("iperf3-udp.json"));

        assertThat(result.protocol()).isEqualTo("UDP");
        assertThat(result.packets()).isEqualTo(1041);
        assertThat(result.lostPackets()).isZero();
        assertThat(result.receivedPackets()).isEqualTo(1041);
        assertThat(result.jitterMs()).isEqualTo(0.06729167966247575);
        assertThat(result.receivedBitsPerSecond()).isEqualTo(9991941.337737935);
    }

    @Test
    void shouldFallBackToSumWhenUdpHasNoSumReceived() {
        String json = "{\"start\":{\"test_start\":{\"protocol\":\"UDP\"}},"
            + "\"end\":{\"sum_sent\":{\"bits_per_second\":2e6},\"sum\":{\"seconds\":1.0,"
            + "\"bits_per_second\":1e6,\"packets\":100,\"lost_packets\":7,\"jitter_ms\":0.5}}}";

        Iperf3Result result = Iperf3Result.parse(json);

        assertThat(result.receivedPackets()).isEqualTo(93);
        assertThat(result.receivedBitsPerSecond()).isEqualTo(1e6);
    }

    @Test
    void shouldThrowTheIperf3ErrorWhenOutputCarriesOne() {
        String json = "{\"start\":{\"connected\":[]},\"intervals\":[],\"end\":{},"
            + "\"error\":\"unable to connect to server: Connection refused\"}";

        assertThatThrownBy(() -> Iperf3Result.parse(json)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("Connection refused");
    }

    @Test
    void shouldRejectOutputWhenNotJsonOrSummaryMissing() {
        assertThatThrownBy(() -> Iperf3Result.parse("iperf3: error - bad"))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Iperf3Result.parse("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Iperf3Result.parse("[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Iperf3Result.parse("{\"end\":{}}")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("sum_sent");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = Iperf3ResultTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
