package io.weft.dataplane.lane;

import io.weft.dataplane.packet.Ipv4Header;
import io.weft.dataplane.packet.PacketBuffer;
import io.weft.dataplane.packet.TestPackets;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Prefix;
import java.util.ArrayList;
import java.util.List;
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
 * {@link InboundCheck#check} on node 10.244.1.0/24 for a 1400-byte datagram: one that is delivered (every check
 * passes and the TTL is decremented) and one refused as a spoofed source (the sender holds a lease, but not the one
 * covering the inner source), with {@code leases} nodes in the peer table.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class InboundCheckBenchmark {
    private static final int PORT = 8285;
    private static final int DATAGRAM_LENGTH = 1400;

    /** Nodes holding a lease: node i has 10.244.i.0/24 and underlay address 192.168.213.i. */
    @Param({"2", "200"})
    public int leases;

    private final PacketBuffer packet = new PacketBuffer(PacketBuffer.MAX_PACKET_LENGTH);
    private final int owner = TestPackets.ip("192.168.213.2");
    private final int otherNode = TestPackets.ip("192.168.213.1");
    /** Not a sender here: the paths measured are a peer's delivered and spoofed packets. */
    private final int thisNode = TestPackets.ip("192.168.213.254");
    private InboundCheck check;
    private PeerTable.Peers view;
    private short ttlAndProtocol;
    private short checksum;

    @Setup
    public void setUp() {
        final List<Lease> all = new ArrayList<>(leases);
        for (int i = 1; i <= leases; i++) {
            all.add(new Lease(Ipv4Prefix.parse("10.244." + i + ".0/24"), TestPackets.ip("192.168.213." + i)));
        }
        final PeerTable peers = new PeerTable(PORT);
        peers.replaceAll(all);
        view = peers.current();
        check = new InboundCheck(Ipv4Prefix.parse("10.244.1.0/24"), thisNode);
        packet.buffer.putBytes(0, TestPackets.udp().source(TestPackets.ip("10.244.2.5"))
            .destination(TestPackets.ip("10.244.1.7")).totalLength(DATAGRAM_LENGTH).build());
        ttlAndProtocol = packet.buffer.getShort(Ipv4Header.TTL_OFFSET);
        checksum = packet.buffer.getShort(Ipv4Header.CHECKSUM_OFFSET);
        if (deliver() != -1 || refuseSpoofed() != DataplaneCounter.DROP_SPOOFED_SOURCE.ordinal()) {
            throw new IllegalStateException("benchmark packets do not take the paths they are named after");
        }
    }

    /** Returns -1 when delivered, else the refusal's ordinal. */
    @Benchmark
    public int deliver() {
        packet.buffer.putShort(Ipv4Header.TTL_OFFSET, ttlAndProtocol);
        packet.buffer.putShort(Ipv4Header.CHECKSUM_OFFSET, checksum);
        final DataplaneCounter refusal = check.check(packet.buffer, DATAGRAM_LENGTH, false, owner, view);
        return refusal == null ? -1 : refusal.ordinal();
    }

    @Benchmark
    public int refuseSpoofed() {
        final DataplaneCounter refusal = check.check(packet.buffer, DATAGRAM_LENGTH, false, otherNode, view);
        return refusal == null ? -1 : refusal.ordinal();
    }
}
