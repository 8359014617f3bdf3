package io.weft.dataplane.packet;

import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
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
 * What {@link UdpReceiver} does with a UDP GRO run from a peer, then {@link GroCoalescer#flush} of the one
 * super-packet into a TUN write that does nothing. {@code flow=tcp}: {@link GroCoalescer#offer} of {@value #SEGMENTS}
 * consecutive MSS-sized segments of a bulk TCP flow (1420 bytes of payload, 1472-byte packets, back to back);
 * divide by {@value #SEGMENTS} for the cost per segment. {@code flow=udp}: {@value #DATAGRAMS} consecutive datagrams
 * of one UDP flow with 64-byte payloads (92-byte packets) into one GSO_UDP_L4 super-packet, as when the TUN takes
 * them; divide by {@value #DATAGRAMS}. One operation is the whole run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class GroCoalesceBenchmark {
    /** 45 x 1420 = 63,900 bytes of payload: about what one 64 KB TSO super-packet of the sender carries. */
    static final int SEGMENTS = 45;
    static final int TCP_HEADERS_LENGTH = TestPackets.tcp().headersLength();
    static final int SEGMENT_LENGTH = TCP_HEADERS_LENGTH + TestPackets.MSS;
    /** As many as one UDP GSO send carries. */
    static final int DATAGRAMS = 64;
    static final int UDP_PAYLOAD = 64;
    static final int UDP_HEADERS_LENGTH = TestPackets.udp().headersLength();
    static final int DATAGRAM_LENGTH = UDP_HEADERS_LENGTH + UDP_PAYLOAD;

    @Param({"tcp", "udp"})
    public String flow = "tcp";

    private final PacketBuffer datagrams = new PacketBuffer(SEGMENTS * SEGMENT_LENGTH);
    private final GroCoalescer coalescer =
        new GroCoalescer(new PacketBuffer(GroCoalescer.OUTPUT_LENGTH).buffer, this::onTunWrite, true);
    private int count;
    private int length;
    private int writes;
    private int writtenLength;

    @Setup
    public void setUp() {
        final boolean tcp = "tcp".equals(flow);
        count = tcp ? SEGMENTS : DATAGRAMS;
        length = tcp ? SEGMENT_LENGTH : DATAGRAM_LENGTH;
        for (int i = 0; i < count; i++) {
            datagrams.buffer.putBytes(i * length, tcp
                ? TestPackets.tcp().sequence(i * TestPackets.MSS).payloadLength(TestPackets.MSS).build()
                : TestPackets.udp().identification(i).payloadLength(UDP_PAYLOAD).build());
        }
        writes = 0;
        if (offerAndFlush() != expectedWriteLength() || writes != 1) {
            throw new IllegalStateException("the " + flow + " run is not coalesced into one super-packet");
        }
    }

    /** Returns the length of the last TUN write: the virtio_net_hdr and the super-packet. */
    @Benchmark
    public int offerAndFlush() {
        for (int i = 0; i < count; i++) {
            coalescer.offer(datagrams.buffer, i * length, length);
        }
        coalescer.flush();
        return writtenLength;
    }

    /** The virtio_net_hdr, one copy of the headers and every payload. */
    int expectedWriteLength() {
        return "tcp".equals(flow)
            ? VirtioNetHeader.LENGTH + TCP_HEADERS_LENGTH + SEGMENTS * TestPackets.MSS
            : VirtioNetHeader.LENGTH + UDP_HEADERS_LENGTH + DATAGRAMS * UDP_PAYLOAD;
    }

    int writes() {
        return writes;
    }

    UnsafeBuffer datagrams() {
        return datagrams.buffer;
    }

    private void onTunWrite(final UnsafeBuffer buffer, final int offset, final int length) {
        writes++;
        writtenLength = length;
    }
}
