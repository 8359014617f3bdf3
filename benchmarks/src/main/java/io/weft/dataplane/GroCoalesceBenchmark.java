package io.weft.dataplane;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
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
 * What {@link UdpReceiver} does with the datagrams of a bulk TCP flow: {@link GroCoalescer#offer} of {@value #SEGMENTS}
 * consecutive MSS-sized segments of one flow (1420 bytes of payload, 1472-byte packets, back to back as a UDP GRO
 * receive hands them over), then {@link GroCoalescer#flush} of the one super-packet into a TUN write that does
 * nothing. One operation is the whole batch: divide by {@value #SEGMENTS} for the cost per segment.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class GroCoalesceBenchmark
{
    /** 45 x 1420 = 63,900 bytes of payload: about what one 64 KB TSO super-packet of the sender carries. */
    static final int SEGMENTS = 45;
    static final int SEGMENT_LENGTH = BenchmarkPackets.TCP_HEADERS_LENGTH + BenchmarkPackets.TCP_MSS;

    private final PacketBuffer datagrams = new PacketBuffer(SEGMENTS * SEGMENT_LENGTH);
    private final GroCoalescer coalescer =
        new GroCoalescer(new PacketBuffer(GroCoalescer.OUTPUT_LENGTH).buffer, this::onTunWrite);
    private int writes;
    private int writtenLength;

    @Setup
    public void setUp()
    {
        for (int i = 0; i < SEGMENTS; i++)
        {
            BenchmarkPackets.writeTcp(datagrams.buffer, i * SEGMENT_LENGTH, i * BenchmarkPackets.TCP_MSS,
                BenchmarkPackets.TCP_MSS);
        }
        writes = 0;
        final int expected = VirtioNetHeader.LENGTH + BenchmarkPackets.TCP_HEADERS_LENGTH +
            SEGMENTS * BenchmarkPackets.TCP_MSS;
        if (offerAndFlush() != expected || writes != 1)
        {
            throw new IllegalStateException("the segments are not coalesced into one super-packet");
        }
    }

    /** Returns the length of the last TUN write: the virtio_net_hdr and the super-packet. */
    @Benchmark
    public int offerAndFlush()
    {
        for (int i = 0; i < SEGMENTS; i++)
        {
            coalescer.offer(datagrams.buffer, i * SEGMENT_LENGTH, SEGMENT_LENGTH);
        }
        coalescer.flush();
        return writtenLength;
    }

    UnsafeBuffer datagrams()
    {
        return datagrams.buffer;
    }

    private void onTunWrite(final UnsafeBuffer buffer, final int offset, final int length)
    {
        writes++;
        writtenLength = length;
    }
}
