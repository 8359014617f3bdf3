package io.weft.dataplane.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GroCoalesceBenchmarkTest {
    @ParameterizedTest
    @CsvSource({"tcp, 63962", "udp, 4134"})
    void shouldWriteOneSuperPacketPerRunWhenRepeated(final String flow, final int expectedLength) {
        final GroCoalesceBenchmark benchmark = new GroCoalesceBenchmark();
        benchmark.flow = flow;
        benchmark.setUp();

        // 10 + 52 + 45 x 1420 for TCP; 10 + 28 + 64 x 64 for UDP
        assertThat(benchmark.expectedWriteLength()).isEqualTo(expectedLength);
        assertThat(benchmark.offerAndFlush()).isEqualTo(expectedLength);
        assertThat(benchmark.offerAndFlush()).isEqualTo(expectedLength);
        assertThat(benchmark.writes()).as("set-up's run and these two, one write each").isEqualTo(3);
    }

    @Test
    void shouldGiveEachSegmentValidChecksumsAndTheNextSequenceWhenSetUp() {
        final GroCoalesceBenchmark benchmark = new GroCoalesceBenchmark();
        benchmark.setUp();
        final UnsafeBuffer datagrams = benchmark.datagrams();

        for (int i = 0; i < GroCoalesceBenchmark.SEGMENTS; i++) {
            final int offset = i * GroCoalesceBenchmark.SEGMENT_LENGTH;
            assertThat(Checksum.foldedSum(datagrams, offset, Ipv4Header.MIN_LENGTH)).isEqualTo(0xFFFF);
            assertThat(TsoSplitBenchmarkTest.tcpChecksumFolded(datagrams, offset, GroCoalesceBenchmark.SEGMENT_LENGTH))
                .isEqualTo(0xFFFF);
            assertThat(datagrams.getInt(offset + Ipv4Header.MIN_LENGTH + TcpHeader.SEQUENCE_OFFSET,
                ByteOrder.BIG_ENDIAN)).isEqualTo(i * TestPackets.MSS);
        }
    }
}
