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
 * What {@link UdpReceiver} does with a UDP GRO run of small datagrams when the TUN takes UDP super-packets:
 * {@link GroCoalescer#offer} of {@value #DATAGRAMS} consecutive 64-byte-payload datagrams of one flow (92-byte
 * packets, back to back), then {@link GroCoalescer#flush} of the one GSO_UDP_L4 super-packet into a TUN write that
 * does nothing. One operation is the whole run: divide by {@value #DATAGRAMS} for the cost per datagram.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class UdpRunCoalesceBenchmark
{
    /** As many as one UDP GSO send carries. */
    static final int DATAGRAMS = 64;
    static final int PAYLOAD = 64;
    static final int DATAGRAM_LENGTH = Ipv4Header.MIN_LENGTH + BenchmarkPackets.UDP_HEADER_LENGTH + PAYLOAD;

    private final PacketBuffer datagrams = new PacketBuffer(DATAGRAMS * DATAGRAM_LENGTH);
    private final GroCoalescer coalescer =
        new GroCoalescer(new PacketBuffer(GroCoalescer.OUTPUT_LENGTH).buffer, this::onTunWrite, true);
    private int writes;
    private int writtenLength;

    @Setup
    public void setUp()
    {
        for (int i = 0; i < DATAGRAMS; i++)
        {
            BenchmarkPackets.writeUdpDatagram(datagrams.buffer, i * DATAGRAM_LENGTH, i, PAYLOAD);
        }
        writes = 0;
        final int expected = VirtioNetHeader.LENGTH + Ipv4Header.MIN_LENGTH + BenchmarkPackets.UDP_HEADER_LENGTH +
            DATAGRAMS * PAYLOAD;
        if (offerAndFlush() != expected || writes != 1)
        {
            throw new IllegalStateException("the datagrams are not merged into one UDP super-packet");
        }
    }

    /** Returns the length of the last TUN write: the virtio_net_hdr and the super-packet. */
    @Benchmark
    public int offerAndFlush()
    {
        for (int i = 0; i < DATAGRAMS; i++)
        {
            coalescer.offer(datagrams.buffer, i * DATAGRAM_LENGTH, DATAGRAM_LENGTH);
        }
        coalescer.flush();
        return writtenLength;
    }

    int writes()
    {
        return writes;
    }

    private void onTunWrite(final UnsafeBuffer buffer, final int offset, final int length)
    {
        writes++;
        writtenLength = length;
    }
}
