package io.weft.dataplane.lane;

import io.weft.dataplane.packet.PacketBuffer;
import io.weft.dataplane.packet.TestPackets;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Prefix;
import io.weft.routing.RouteSnapshot;
import io.weft.tun.NativeException;
import io.weft.tun.SendBatch;
import io.weft.tun.UdpSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a lane does per packet read from the TUN, from the route lookup to the send, for one batch of {@value #BATCH}
 * 1400-byte packets: each destination's route and peer, the datagram queued in a {@link SendBatch} for the peer's
 * address, then one sendmmsg on a real UDP socket to loopback, through the stack to a bound socket that is never
 * read (its buffer soon full, the kernel drops each datagram there: the same for both settings). {@code peers} nodes
 * hold leases and the packets go to them in turn: with 1,000 every packet of a batch goes to another peer, and
 * successive batches to others again (issue 21: the cost per packet stays flat when a batch fans out to 1,000 peers).
 * Without UDP GSO, so that every datagram is a message of its own whatever the peers, and the two are compared on the
 * same work. One operation is the batch; divide by {@value #BATCH}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
// Longer iterations than the others': a batch takes a few hundred microseconds, and the bytes JMH itself allocates on
// the benchmark's thread once per iteration would otherwise come to about 1 B per operation.
@Measurement(iterations = 3, time = 5)
@Fork(value = 2, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class PeerFanOutBenchmark {
    static final int BATCH = 64;
    private static final int PORT = 18285;
    private static final int PACKET_LENGTH = 1400;
    /** Node i has 10.(i / 256).(i % 256).0/24 (i from 1) and public address 127.1.(i / 256).(i % 256). */
    private static final int SUBNETS = 10 << 24;
    private static final int PUBLIC_IPS = 127 << 24 | 1 << 16;

    @Param({"1", "1000"})
    public int peers = 1;

    private final PacketBuffer slots = new PacketBuffer(BATCH * PACKET_LENGTH);
    private final SendBatch batch = new SendBatch(BATCH, slots.address, PACKET_LENGTH, false);
    private UdpSocket receiver;
    private UdpSocket sender;
    private PeerTable.Peers view;
    /** One packet's destination per peer, host .7 of its subnet, in the order the packets go. */
    private int[] destinations;
    private int next;

    @Setup
    public void setUp() throws NativeException {
        final List<Lease> leases = new ArrayList<>(peers);
        destinations = new int[peers];
        for (int i = 1; i <= peers; i++) {
            leases.add(new Lease(new Ipv4Prefix(SUBNETS | i << 8, 24), PUBLIC_IPS | i));
            destinations[i - 1] = SUBNETS | i << 8 | 7;
        }
        final PeerTable table = new PeerTable(PORT);
        table.replaceAll(leases);
        view = table.current();
        final byte[] packet = TestPackets.udp().totalLength(PACKET_LENGTH).build();
        for (int slot = 0; slot < BATCH; slot++) {
            slots.buffer.putBytes(slot * PACKET_LENGTH, packet);
        }
        receiver = UdpSocket.bind(0, PORT, false, 0, 0);
        sender = UdpSocket.bind(0, 0, false, 0, 0);
        next = 0;
        if (sendBatch() != BATCH) {
            throw new IllegalStateException("a batch of " + BATCH + " datagrams to loopback did not all leave");
        }
    }

    /** Returns the messages sent: {@value #BATCH}. */
    @Benchmark
    public int sendBatch() {
        final RouteSnapshot<Peer> routes = view.routes();
        for (int i = 0; i < BATCH; i++) {
            final Peer peer = routes.value(routes.lookup(destinations[next]));
            next = next + 1 == destinations.length ? 0 : next + 1;
            batch.add(0, PACKET_LENGTH, peer.publicIp(), peer.port());
        }
        return sender.send(batch, false);
    }

    /** The distinct peers the next batch goes to: what {@code peers} is meant to vary. */
    int distinctPeersOfNextBatch() {
        final RouteSnapshot<Peer> routes = view.routes();
        final Set<Integer> distinct = new HashSet<>();
        for (int i = 0; i < BATCH; i++) {
            distinct.add(routes.value(routes.lookup(destinations[(next + i) % destinations.length])).publicIp());
        }
        return distinct.size();
    }

    @TearDown
    public void tearDown() {
        sender.close();
        receiver.close();
    }
}
