package io.weft.dataplane.packet;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@link TunReader} does with a read from a TUN with offloads: {@link TsoSplitter#split} of a TCP super-packet
 * of {@code payloadLength} bytes into MSS-sized segments (gso_size 1420, the 1472-byte overlay MTU with timestamps)
 * with complete checksums, one operation per super-packet; and {@link TsoSplitter#completeChecksum} of a 1400-byte
 * packet the kernel left CHECKSUM_PARTIAL.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class TsoSplitBenchmark {
    /**
     * A super-packet as read from the TUN and the header area of its slot (as {@link TunReader} sizes it): the
     * segments' headers are written there, their payload stays in the read (the send gathers both).
     */
    @State(Scope.Thread)
    public static class SuperPacket {
        /** TCP payload bytes: 2 segments (the second 28 bytes), 12, and 46 (near the most one TSO read brings). */
        @Param({"1448", "16384", "65000"})
        public int payloadLength;

        /** false: complete TCP checksums (to flanneld); true: left partial (to a weftd whose lease takes them). */
        @Param({"false", "true"})
        public boolean partialChecksums;

        final TsoSplitter splitter = new TsoSplitter();
        final PacketBuffer packet = new PacketBuffer(VirtioNetHeader.LENGTH + PacketBuffer.MAX_PACKET_LENGTH);
        final PacketBuffer headers = new PacketBuffer(TsoSplitter.HEADERS_CAPACITY);
        int length;

        @Setup
        public void setUp() {
            final byte[] read = TestPackets.tcp().payloadLength(payloadLength).buildSuperPacket(TestPackets.MSS);
            packet.buffer.putBytes(0, read);
            length = read.length;
            final int expected = (payloadLength + TestPackets.MSS - 1) / TestPackets.MSS;
            if (splitHeaders() != expected) {
                throw new IllegalStateException("the super-packet does not split into " + expected + " segments");
            }
        }

        /** Returns the number of segments. */
        int splitHeaders() {
            return splitter.splitHeaders(packet.buffer, 0, length, headers.buffer, 0, headers.capacity,
                partialChecksums);
        }
    }

    /** A 1400-byte TCP packet with a partial checksum, restored before each operation (two stores). */
    @State(Scope.Thread)
    public static class PartialChecksum {
        static final int PACKET_LENGTH = 1400;
        static final int CHECKSUM_FIELD = VirtioNetHeader.LENGTH + Ipv4Header.MIN_LENGTH + TcpHeader.CHECKSUM_OFFSET;

        final TsoSplitter splitter = new TsoSplitter();
        final PacketBuffer packet = new PacketBuffer(VirtioNetHeader.LENGTH + PacketBuffer.MAX_PACKET_LENGTH);
        int length;
        short partialChecksum;

        @Setup
        public void setUp() {
            final byte[] read = TestPackets.tcp().totalLength(PACKET_LENGTH).buildChecksumPartial();
            packet.buffer.putBytes(0, read);
            length = read.length;
            partialChecksum = packet.buffer.getShort(CHECKSUM_FIELD, ByteOrder.BIG_ENDIAN);
            if (completeChecksum() != TsoSplitter.OK || packet.buffer.getByte(VirtioNetHeader.FLAGS_OFFSET) != 0) {
                throw new IllegalStateException("the packet's checksum is not completed");
            }
        }

        int completeChecksum() {
            packet.buffer.putByte(VirtioNetHeader.FLAGS_OFFSET, (byte)VirtioNetHeader.F_NEEDS_CSUM);
            packet.buffer.putShort(CHECKSUM_FIELD, partialChecksum, ByteOrder.BIG_ENDIAN);
            return splitter.completeChecksum(packet.buffer, 0, length, false);
        }
    }

    /** Returns the number of segments. */
    @Benchmark
    public int splitHeaders(final SuperPacket superPacket) {
        return superPacket.splitHeaders();
    }

    @Benchmark
    public int completeChecksum(final PartialChecksum packet) {
        return packet.completeChecksum();
    }
}
