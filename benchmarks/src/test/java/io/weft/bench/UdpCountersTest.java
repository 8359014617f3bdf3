package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UdpCountersTest {
    @Test
    void shouldReadTheReceiveBufferErrorsByTheirFieldName() {
        String snmp = String.join("\n",
            "Icmp: InMsgs InErrors",
            "Icmp: 3 0",
            "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti"
                + " MemErrors",
            "Udp: 8938 0 13514712 13525483 13514711 0 0 0 0",
            "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti",
            "UdpLite: 0 0 0 0 7 0 0 0", "");

        assertThat(UdpCounters.receiveBufferErrors(snmp)).isEqualTo(13_514_711L);
    }

    @Test
    void shouldSayWhenThereIsNoSuchCounter() {
        assertThatThrownBy(() -> UdpCounters.receiveBufferErrors("Ip: Forwarding\nIp: 1\n"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RcvbufErrors");
    }
}
