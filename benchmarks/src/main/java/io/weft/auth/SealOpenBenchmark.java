package io.weft.auth;

import io.weft.dataplane.packet.PacketBuffer;
import io.weft.dataplane.packet.TestPackets;
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
 * One lane's per-datagram work with {@code --auth}: {@link LaneSeal#seal} as {@code TunReader} calls it (the header
 * and tag apart from the packet; a TSO segment's headers apart from its payload) and {@link LaneOpen#open} as
 * {@code UdpReceiver} calls it (the datagram as received), authenticated only or encrypted, one peer's key throughout
 * or two peers' in turn (each datagram then gives the lane's cipher handle another key).
 *
 * <p>Opening decrypts in place, so each open first copies a datagram sealed at setup over the one opened before;
 * {@link #copyDatagram} is that copy alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class SealOpenBenchmark {
    static final byte[] KEY_A = bytes(0x0a);
    static final byte[] KEY_B = bytes(0x0b);

    /** Where each part lies in the lane's memory: apart, as the lane keeps them. */
    static final int PACKET_OFFSET = 0;
    static final int PARTS_OFFSET = 2048;
    static final int RECEIVED_OFFSET = 4096;
    static final int SEALED_A_OFFSET = 6144;
    static final int SEALED_B_OFFSET = 8192;
    private static final int MEMORY_LENGTH = 10240;

    /** The inner IPv4 packet's bytes: a small one and one near the overlay MTU. */
    @Param({"64", "1400"})
    public int packetLength;

    /** false: authenticated only (type 0x51); true: also encrypted (0x52, {@code --encrypt}). */
    @Param({"false", "true"})
    public boolean encrypt;

    final PacketBuffer memory = new PacketBuffer(MEMORY_LENGTH);
    private LaneSeal seal;
    private LaneOpen open;
    private long packet;
    private long header;
    private long tag;
    private long received;
    private int headersLength;
    private int datagramLength;
    private long nonce;

    @Setup
    public void setUp() {
        final TestPackets.Builder builder = TestPackets.tcp().totalLength(packetLength);
        final byte[] inner = builder.build();
        headersLength = builder.headersLength();
        datagramLength = packetLength + AuthHeader.OVERHEAD;
        packet = memory.address + PACKET_OFFSET;
        header = memory.address + PARTS_OFFSET;
        tag = header + AuthHeader.LENGTH;
        received = memory.address + RECEIVED_OFFSET;
        memory.buffer.putBytes(PACKET_OFFSET, inner);
        memory.buffer.putBytes(SEALED_A_OFFSET + AuthHeader.LENGTH, inner);
        memory.buffer.putBytes(SEALED_B_OFFSET + AuthHeader.LENGTH, inner);
        seal = new LaneSeal(encrypt);
        open = new LaneOpen();
        try (LaneSeal sealer = new LaneSeal(encrypt)) {
            if (!sealInPlace(sealer, KEY_A, memory.address + SEALED_A_OFFSET)
                || !sealInPlace(sealer, KEY_B, memory.address + SEALED_B_OFFSET)) {
                throw new IllegalStateException("libgcrypt refused to seal the benchmark's datagrams");
            }
        }
        if (open() != packetLength || openAlternatingPeers() != packetLength || openAlternatingPeers() != packetLength
            || !seal() || !sealSegment() || !sealAlternatingPeers()) {
            throw new IllegalStateException("the benchmark's datagrams do not seal and open");
        }
    }

    @TearDown
    public void tearDown() {
        seal.close();
        open.close();
    }

    /** A packet sent whole (not split) to one peer: the header and tag in the lane's parts, the packet where read. */
    @Benchmark
    public boolean seal() {
        return seal.seal(KEY_A, nonce++, header, packet, packetLength, 0, 0, tag);
    }

    /** A segment of a TSO super-packet to one peer: its headers and its payload are two parts. */
    @Benchmark
    public boolean sealSegment() {
        return seal.seal(KEY_A, nonce++, header, packet, headersLength, packet + headersLength,
            packetLength - headersLength, tag);
    }

    /** As {@link #seal} with consecutive packets for two peers in turn: each has a context of its own, kept keyed. */
    @Benchmark
    public boolean sealAlternatingPeers() {
        final byte[] key = (nonce & 1) == 0 ? KEY_A : KEY_B;
        return seal.seal(key, nonce++, header, packet, packetLength, 0, 0, tag);
    }

    /** One peer's datagram, after {@link #copyDatagram}; returns the inner packet's length. */
    @Benchmark
    public int open() {
        copyDatagram(SEALED_A_OFFSET);
        return open.open(KEY_A, received, datagramLength);
    }

    /** As {@link #open} with datagrams from two peers in turn: each has a context of its own, kept keyed. */
    @Benchmark
    public int openAlternatingPeers() {
        final boolean peerB = (nonce++ & 1) != 0;
        copyDatagram(peerB ? SEALED_B_OFFSET : SEALED_A_OFFSET);
        return open.open(peerB ? KEY_B : KEY_A, received, datagramLength);
    }

    /** The copy each open starts with, alone. */
    @Benchmark
    public long copyDatagram() {
        copyDatagram(SEALED_A_OFFSET);
        return received;
    }

    /** The packet as {@link #open} left it: in clear after the header. */
    byte[] openedPacket() {
        final byte[] opened = new byte[packetLength];
        memory.buffer.getBytes(RECEIVED_OFFSET + AuthHeader.LENGTH, opened);
        return opened;
    }

    int openPeerBWithKeyA() {
        copyDatagram(SEALED_B_OFFSET);
        return open.open(KEY_A, received, datagramLength);
    }

    byte[] sealedPacketOfPeerA() {
        final byte[] sealed = new byte[packetLength];
        memory.buffer.getBytes(SEALED_A_OFFSET + AuthHeader.LENGTH, sealed);
        return sealed;
    }

    private void copyDatagram(final int sealedOffset) {
        memory.buffer.putBytes(RECEIVED_OFFSET, memory.buffer, sealedOffset, datagramLength);
    }

    /** Seals the packet at {@code datagram + 12} in place, as the peer would have sent it. */
    private boolean sealInPlace(final LaneSeal sealer, final byte[] key, final long datagram) {
        final long inner = datagram + AuthHeader.LENGTH;
        return sealer.seal(key, 1, datagram, inner, packetLength, 0, 0, inner + packetLength);
    }

    private static byte[] bytes(final int first) {
        final byte[] key = new byte[TrafficKey.LENGTH];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte)(first + i);
        }
        return key;
    }
}
