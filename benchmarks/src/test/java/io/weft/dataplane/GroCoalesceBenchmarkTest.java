package io.weft.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class GroCoalesceBenchmarkTest
{
    @Test
    void shouldWriteOneSuperPacketPerBatchWhenRepeated()
    {
        final GroCoalesceBenchmark benchmark = new GroCoalesceBenchmark();
        benchmark.setUp();
        final int expected = VirtioNetHeader.LENGTH + BenchmarkPackets.TCP_HEADERS_LENGTH +
            GroCoalesceBenchmark.SEGMENTS * BenchmarkPackets.TCP_MSS;

        assertThat(benchmark.offerAndFlush()).isEqualTo(expected);
        assertThat(benchmark.offerAndFlush()).isEqualTo(expected);
    }

    @Test
    void shouldGiveEachSegmentValidChecksumsAndTheNextSequenceWhenSetUp()
    {
        final GroCoalesceBenchmark benchmark = new GroCoalesceBenchmark();
        benchmark.setUp();
        final UnsafeBuffer datagrams = benchmark.datagrams();

        for (int i = 0; i < GroCoalesceBenchmark.SEGMENTS; i++)
        {
            final int offset = i * GroCoalesceBenchmark.SEGMENT_LENGTH;
            assertThat(Checksum.foldedSum(datagrams, offset, Ipv4Header.MIN_LENGTH)).isEqualTo(0xFFFF);
            assertThat(TsoSplitBenchmarkTest.tcpChecksumFolded(datagrams, offset, GroCoalesceBenchmark.SEGMENT_LENGTH))
                .isEqualTo(0xFFFF);
            assertThat(datagrams.getInt(offset + Ipv4Header.MIN_LENGTH + TcpHeader.SEQUENCE_OFFSET,
                ByteOrder.BIG_ENDIAN)).isEqualTo(i * BenchmarkPackets.TCP_MSS);
        }
    }
}
