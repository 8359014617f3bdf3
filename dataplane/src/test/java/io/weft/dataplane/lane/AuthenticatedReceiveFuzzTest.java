package io.weft.dataplane.lane;

import static io.weft.dataplane.lane.InboundCheckFuzzTest.NODE_B;
import static io.weft.dataplane.lane.InboundCheckFuzzTest.OWN_IP;
import static io.weft.dataplane.lane.InboundCheckFuzzTest.OWN_SUBNET;
import static io.weft.dataplane.lane.InboundCheckFuzzTest.SENDERS;
import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.weft.auth.AuthHeader;
import io.weft.auth.DatagramSeal;
import io.weft.auth.LaneOpen;
import io.weft.auth.ReplayWindow;
import io.weft.dataplane.packet.TestPackets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing (Jazzer) of the receiving side with authentication on: {@link DatagramAuthentication} (the
 * lane's {@link LaneOpen} and the sender lane's {@link ReplayWindow}), then {@link InboundCheck}, as
 * {@code UdpReceiver} runs them, over a run of datagrams from node B (which
 * authenticates), node C (flannel, no key), this node and a stranger. A fuzzer cannot forge a GCM tag, so the only
 * datagrams that may open are those this class sealed as node B; the committed corpus holds them, alone, replayed
 * and interleaved.
 *
 * <p>An input is a mode byte (bit 0: --auth=required), then records: a choice byte (bits 0-1 the sender as
 * {@link InboundCheckFuzzTest#SENDERS}, bit 2 truncated), two bytes of length (big-endian) and the datagram.
 */
class AuthenticatedReceiveFuzzTest {
    /** Node B's traffic key towards this node. */
    private static final byte[] RECEIVE_KEY = TestPackets.pattern(0xB1, 16);
    private static final byte[] SEND_KEY = TestPackets.pattern(0xB2, 16);
    private static final int MAX_DATAGRAM = 1600;
    private static final int GUARD = 64;
    private static final byte GUARD_BYTE = (byte)0xA5;
    private static final int TRUNCATED_BIT = 4;
    private static final Path CORPUS = Paths.get(
        "src/test/resources/io/weft/dataplane/lane/AuthenticatedReceiveFuzzTestInputs/deliverOnlyWhatNodeBSealedOnce");
    /** Every datagram node B sealed, by its bytes, to the packet inside. */
    private static final Map<ByteBuffer, byte[]> SEALED_BY_B = sealAll();

    private static final DataplaneCounters COUNTERS = new DataplaneCounters();
    private static final DatagramAuthentication AUTHENTICATION = new DatagramAuthentication(COUNTERS);
    private static final UnsafeBuffer SLOT = new UnsafeBuffer(ByteBuffer.allocateDirect(GUARD + MAX_DATAGRAM + GUARD));

    private final InboundCheck check = new InboundCheck(OWN_SUBNET, OWN_IP);
    private final PeerTable.Peers leases = InboundCheckFuzzTest.peers();
    private final UnsafeBuffer datagram = new UnsafeBuffer(0, 0);

    @AfterAll
    static void close() {
        AUTHENTICATION.close();
    }

    @FuzzTest(maxDuration = "15s")
    void deliverOnlyWhatNodeBSealedOnce(final byte[] input) {
        receiveAll(input);
    }

    @Test
    void shouldDeliverTheSealedSeedsOnceAndTheBareOneFromTheNodeWithoutKey() throws IOException {
        for (final ByteBuffer sealed : SEALED_BY_B.keySet()) {
            final byte[] input = Files.readAllBytes(CORPUS.resolve(seedName(bytes(sealed))));
            assertThat(receiveAll(input)).as("a sealed seed of node B").isLessThanOrEqualTo(1);
        }
        assertThat(receiveAll(Files.readAllBytes(CORPUS.resolve("interleaved")))).isEqualTo(4);
        assertThat(receiveAll(Files.readAllBytes(CORPUS.resolve("replayed")))).isEqualTo(1);
        assertThat(receiveAll(Files.readAllBytes(CORPUS.resolve("bare-from-c")))).isEqualTo(1);
        assertThat(receiveAll(Files.readAllBytes(CORPUS.resolve("bare-from-c-required")))).isZero();
    }

    /** Receives every datagram of {@code input} in turn, checking each; returns how many were delivered. */
    private int receiveAll(final byte[] input) {
        if (input.length == 0) {
            return 0;
        }
        final PeerTable.Peers view = view((input[0] & 1) != 0 ? AuthMode.REQUIRED : AuthMode.ON);
        final Set<Long> opened = new HashSet<>();
        int delivered = 0;
        int at = 1;
        while (at + 3 <= input.length) {
            final int choice = input[at];
            final int length = Math.min(Math.min((input[at + 1] & 0xFF) << 8 | input[at + 2] & 0xFF,
                input.length - at - 3), MAX_DATAGRAM);
            final byte[] bytes = Arrays.copyOfRange(input, at + 3, at + 3 + length);
            at += 3 + length;
            if (receive(view, bytes, SENDERS[choice & 3], (choice & TRUNCATED_BIT) != 0, opened)) {
                delivered++;
            }
        }
        return delivered;
    }

    /**
     * One datagram, between guard bytes: what {@code UdpReceiver.deliver} does before the TUN write, each step's
     * outcome checked. True if it would reach the TUN.
     */
    private boolean receive(final PeerTable.Peers view, final byte[] bytes, final int sender, final boolean truncated,
        final Set<Long> opened) {
        final int length = bytes.length;
        SLOT.setMemory(0, SLOT.capacity(), GUARD_BYTE);
        SLOT.putBytes(GUARD, bytes);
        final byte[] sealedPacket = sender == NODE_B.publicIp() ? SEALED_BY_B.get(ByteBuffer.wrap(bytes)) : null;
        final long nonce = length >= AuthHeader.LENGTH ? AuthHeader.nonce(SLOT.addressOffset() + GUARD) : -1;
        final long authFailedBefore = COUNTERS.get(DataplaneCounter.DROP_AUTH_FAILED);

        final int packetLength = AUTHENTICATION.authenticate(view, SLOT, GUARD, length, truncated, sender);

        assertGuardsUntouched(length);
        if (packetLength < 0) {
            final boolean openedAndFailed = COUNTERS.get(DataplaneCounter.DROP_AUTH_FAILED) > authFailedBefore;
            if (!openedAndFailed || (bytes[0] & 0xFF) != AuthHeader.TYPE_ENCRYPTED) {
                // An encrypted packet whose tag fails is zeroed, so no forged plaintext is left behind.
                assertThat(bytesAt(SLOT, GUARD, length)).as("refused, left as it came").isEqualTo(bytes);
            }
            if (openedAndFailed) {
                assertThat(sealedPacket).as("a datagram node B sealed opens").isNull();
            }
            return false;
        }
        final int packetOffset = AUTHENTICATION.packetOffset();
        final byte[] packetBefore;
        if (packetOffset == GUARD) {
            assertThat(view.authOf(sender)).as("bare, so from a node without a key").isNull();
            assertThat(view.mode()).isEqualTo(AuthMode.ON);
            packetBefore = bytes;
        } else {
            assertThat(sealedPacket).as("only a datagram node B sealed opens").isNotNull();
            assertThat(bytesAt(SLOT, packetOffset, packetLength)).isEqualTo(sealedPacket);
            assertThat(opened.add(nonce)).as("lane and counter %x opened once", nonce).isTrue();
            packetBefore = sealedPacket;
        }
        datagram.wrap(SLOT, packetOffset, packetLength);
        final DataplaneCounter refusal = check.check(datagram, packetLength, truncated, sender, view);
        assertGuardsUntouched(length);
        final byte[] packetAfter = bytesAt(SLOT, packetOffset, packetLength);
        if (refusal != null) {
            assertThat(packetAfter).as("refused as %s, left as it came", refusal).isEqualTo(packetBefore);
            return false;
        }
        if (view.mode() == AuthMode.REQUIRED || sender == NODE_B.publicIp()) {
            assertThat(packetOffset).as("delivered from a node with a key or under --auth=required: sealed")
                .isEqualTo(GUARD + AuthHeader.LENGTH);
        }
        InboundCheckFuzzTest.assertDeliverable(packetBefore, sender, truncated);
        InboundCheckFuzzTest.assertOnlyTtlAndChecksumChanged(packetBefore, packetAfter);
        return true;
    }

    private static boolean refused(final byte[] bytes, final String why) {
        assertGuardsUntouched(bytes.length);
        assertThat(bytesAt(SLOT, GUARD, bytes.length)).as("refused (%s), left as it came", why).isEqualTo(bytes);
        return false;
    }

    private static void assertGuardsUntouched(final int length) {
        for (int i = 0; i < GUARD; i++) {
            assertThat(SLOT.getByte(i)).as("guard byte %d before the datagram", i).isEqualTo(GUARD_BYTE);
            assertThat(SLOT.getByte(GUARD + length + i)).as("guard byte %d after the datagram", i)
                .isEqualTo(GUARD_BYTE);
        }
    }

    /** Node B authenticates (new replay windows for every input), node C has no key. */
    private PeerTable.Peers view(final AuthMode mode) {
        final int[] publicIps = leases.sortedPublicIps();
        final PeerAuth[] auths = new PeerAuth[publicIps.length];
        auths[Arrays.binarySearch(publicIps, NODE_B.publicIp())] =
            new PeerAuth(NODE_B.publicIp(), "node-b-key", 1, SEND_KEY, RECEIVE_KEY);
        return new PeerTable.Peers(leases.routes(), publicIps, auths, new PeerAuth[publicIps.length], mode);
    }

    /**
     * Packets from node B's pods to ours, and two it may not send (another node's source, another node's
     * destination), sealed both ways; the same counter under both types, so that one replays the other.
     */
    private static Map<ByteBuffer, byte[]> sealAll() {
        final int podB = ip("10.244.2.5");
        final int podOwn = ip("10.244.1.7");
        final List<byte[]> packets = List.of(
            TestPackets.udp().source(podB).destination(podOwn).totalLength(60).build(),
            TestPackets.tcp().source(podB).destination(podOwn).totalLength(84).build(),
            TestPackets.udp().source(ip("10.244.3.5")).destination(podOwn).totalLength(48).build(),
            TestPackets.udp().source(podB).destination(ip("10.244.3.9")).totalLength(48).build());
        final long[] nonces = {0, 1, 2, 3, 1L << AuthHeader.LANE_SHIFT, 20_000};
        final Map<ByteBuffer, byte[]> sealed = new HashMap<>();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_DATAGRAM));
        try (DatagramSeal seal = new DatagramSeal(RECEIVE_KEY)) {
            for (final int type : List.of(AuthHeader.TYPE_AUTHENTICATED, AuthHeader.TYPE_ENCRYPTED)) {
                for (int i = 0; i < nonces.length; i++) {
                    final byte[] packet = packets.get(i % packets.size());
                    buffer.putBytes(AuthHeader.LENGTH, packet);
                    final int length = seal.seal(buffer.addressOffset(), packet.length, type, 0,
                        (int)(nonces[i] >>> AuthHeader.LANE_SHIFT), nonces[i] & AuthHeader.MAX_COUNTER);
                    sealed.put(ByteBuffer.wrap(bytesAt(buffer, 0, length)), packet);
                }
            }
        }
        return sealed;
    }

    private static byte[] bytesAt(final UnsafeBuffer buffer, final int offset, final int length) {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    private static byte[] bytes(final ByteBuffer buffer) {
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static String seedName(final byte[] datagram) {
        return String.format("sealed-%02x-%016x", datagram[0] & 0xFF,
            ByteBuffer.wrap(datagram, AuthHeader.NONCE_OFFSET, 8).getLong());
    }

    private static byte[] sealed(final int type, final long nonce) {
        return SEALED_BY_B.keySet().stream().map(AuthenticatedReceiveFuzzTest::bytes)
            .filter(d -> (d[0] & 0xFF) == type && ByteBuffer.wrap(d, AuthHeader.NONCE_OFFSET, 8).getLong() == nonce)
            .findFirst().orElseThrow();
    }

    /** An input: the mode, then each datagram with its sender's index in {@link InboundCheckFuzzTest#SENDERS}. */
    private static byte[] input(final boolean required, final Object... senderAndDatagram) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(required ? 1 : 0);
        for (int i = 0; i < senderAndDatagram.length; i += 2) {
            final byte[] bytes = (byte[])senderAndDatagram[i + 1];
            out.write((Integer)senderAndDatagram[i]);
            out.write(bytes.length >> 8);
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    /** Writes the seed corpus (run from the module's directory): how the committed seeds were made. */
    public static void main(final String[] args) throws IOException {
        Files.createDirectories(CORPUS);
        for (final ByteBuffer sealed : SEALED_BY_B.keySet()) {
            Files.write(CORPUS.resolve(seedName(bytes(sealed))), input(false, 0, bytes(sealed)));
        }
        final int authenticated = AuthHeader.TYPE_AUTHENTICATED;
        final int encrypted = AuthHeader.TYPE_ENCRYPTED;
        final long lane1 = 1L << AuthHeader.LANE_SHIFT;
        Files.write(CORPUS.resolve("interleaved"), input(false, 0, sealed(authenticated, 1), 0, sealed(encrypted, 0),
            0, sealed(authenticated, lane1), 0, sealed(encrypted, 20_000), 0, sealed(authenticated, 0),
            0, sealed(encrypted, 1)));
        Files.write(CORPUS.resolve("replayed"), input(false, 0, sealed(encrypted, 0), 0, sealed(encrypted, 0)));
        final byte[] bareFromC = TestPackets.udp().source(ip("10.244.3.5")).destination(ip("10.244.1.7"))
            .totalLength(60).build();
        Files.write(CORPUS.resolve("bare-from-c"), input(false, 1, bareFromC));
        Files.write(CORPUS.resolve("bare-from-c-required"), input(true, 1, bareFromC));
        Files.write(CORPUS.resolve("bare-from-b"), input(false, 0, TestPackets.udp().source(ip("10.244.2.5"))
            .destination(ip("10.244.1.7")).totalLength(60).build()));
        Files.write(CORPUS.resolve("sealed-from-others"), input(false, 1, sealed(authenticated, 0),
            2, sealed(authenticated, 0), 3, sealed(authenticated, 0), TRUNCATED_BIT, sealed(encrypted, 0)));
    }
}
