package io.weft.dataplane.packet;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-packet header fix-ups of {@link Ipv4Header} over an off-heap {@link PacketBuffer}, as the lanes use it:
 * the TTL decrement with its incremental checksum (RFC 1624) and the full header checksum check (RFC 1071).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class Ipv4HeaderBenchmark {
    private final PacketBuffer packet = new PacketBuffer(PacketBuffer.MAX_PACKET_LENGTH);
    private final Ipv4Header header = new Ipv4Header();
    private short ttlAndProtocol;
    private short checksum;

    @Setup
    public void setUp() {
        packet.buffer.putBytes(0, TestPackets.udp().totalLength(1400).build());
        header.wrap(packet.buffer);
        ttlAndProtocol = packet.buffer.getShort(Ipv4Header.TTL_OFFSET);
        checksum = packet.buffer.getShort(Ipv4Header.CHECKSUM_OFFSET);
    }

    /** Each operation starts from the same fresh packet (two stores), as every packet read from the TUN does. */
    @Benchmark
    public boolean decrementTtl() {
        packet.buffer.putShort(Ipv4Header.TTL_OFFSET, ttlAndProtocol);
        packet.buffer.putShort(Ipv4Header.CHECKSUM_OFFSET, checksum);
        return header.decrementTtl();
    }

    @Benchmark
    public boolean hasValidChecksum() {
        return header.hasValidChecksum();
    }
}
