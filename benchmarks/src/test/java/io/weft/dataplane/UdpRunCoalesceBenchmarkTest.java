package io.weft.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UdpRunCoalesceBenchmarkTest
{
    @Test
    void shouldWriteOneUdpSuperPacketPerRunWhenRepeated()
    {
        final UdpRunCoalesceBenchmark benchmark = new UdpRunCoalesceBenchmark();
        benchmark.setUp();
        final int expected = VirtioNetHeader.LENGTH + Ipv4Header.MIN_LENGTH + BenchmarkPackets.UDP_HEADER_LENGTH +
            UdpRunCoalesceBenchmark.DATAGRAMS * UdpRunCoalesceBenchmark.PAYLOAD;

        assertThat(benchmark.offerAndFlush()).isEqualTo(expected);
        assertThat(benchmark.offerAndFlush()).isEqualTo(expected);
        assertThat(benchmark.writes()).as("set-up's run and these two, one write each").isEqualTo(3);
    }
}
