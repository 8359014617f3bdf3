package io.weft.dataplane.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TsoSplitBenchmarkTest {
    private final TsoSplitBenchmark benchmark = new TsoSplitBenchmark();

    @ParameterizedTest
    @CsvSource({"1448, 2", "16384, 12", "65000, 46"})
    void shouldSplitIntoSegmentsWithValidChecksumsWhenSetUp(final int payloadLength, final int expectedSegments) {
        final TsoSplitBenchmark.SuperPacket superPacket = new TsoSplitBenchmark.SuperPacket();
        superPacket.payloadLength = payloadLength;
        superPacket.setUp();

        assertThat(benchmark.splitHeaders(superPacket)).isEqualTo(expectedSegments);
        assertThat(benchmark.splitHeaders(superPacket)).as("the input is left as it was").isEqualTo(expectedSegments);
        final TsoSplitter splitter = superPacket.splitter;
        final int headersLength = splitter.headersLength();
        final UnsafeBuffer segment = new UnsafeBuffer(new byte[PacketBuffer.MAX_PACKET_LENGTH]);
        int payload = 0;
        for (int i = 0; i < expectedSegments; i++) {
            // What the gathering send puts on the wire: the segment's headers, then its payload from the read.
            segment.putBytes(0, superPacket.headers.buffer, i * headersLength, headersLength);
            segment.putBytes(headersLength, superPacket.packet.buffer, splitter.payloadOffset(i),
                splitter.payloadLength(i));
            final int length = segment.getShort(Ipv4Header.TOTAL_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            assertThat(length).isEqualTo(headersLength + splitter.payloadLength(i))
                .isLessThanOrEqualTo(GroCoalesceBenchmark.SEGMENT_LENGTH);
            assertThat(Checksum.foldedSum(segment, 0, Ipv4Header.MIN_LENGTH)).isEqualTo(0xFFFF);
            assertThat(tcpChecksumFolded(segment, 0, length)).as("segment %d", i).isEqualTo(0xFFFF);
            payload += splitter.payloadLength(i);
        }
        assertThat(payload).isEqualTo(payloadLength);
    }

    @Test
    void shouldCompleteAValidChecksumEveryTimeWhenRepeated() {
        final TsoSplitBenchmark.PartialChecksum packet = new TsoSplitBenchmark.PartialChecksum();
        packet.setUp();

        for (int i = 0; i < 3; i++) {
            assertThat(benchmark.completeChecksum(packet)).isEqualTo(TsoSplitter.OK);
            assertThat(tcpChecksumFolded(packet.packet.buffer, VirtioNetHeader.LENGTH,
                TsoSplitBenchmark.PartialChecksum.PACKET_LENGTH)).isEqualTo(0xFFFF);
        }
        assertThat(packet.length).isEqualTo(VirtioNetHeader.LENGTH + TsoSplitBenchmark.PartialChecksum.PACKET_LENGTH);
    }

    static int tcpChecksumFolded(final UnsafeBuffer buffer, final int ip, final int length) {
        final long pseudoHeaderSum = TransportChecksum.pseudoHeaderSum(TestPackets.SOURCE, TestPackets.DESTINATION,
            Ipv4Header.PROTOCOL_TCP, length - Ipv4Header.MIN_LENGTH);
        return TransportChecksum.fold(pseudoHeaderSum +
            TransportChecksum.sum(buffer, ip + Ipv4Header.MIN_LENGTH, length - Ipv4Header.MIN_LENGTH));
    }
}
