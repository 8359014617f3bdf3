package io.weft.dataplane.lane;

import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.weft.dataplane.packet.Ipv4Header;
import io.weft.dataplane.packet.TestPackets;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing (Jazzer) of {@link InboundCheck} over arbitrary datagrams from the senders a node meets: a
 * node holding a lease, a second one, this node itself and a stranger. Whatever the bytes, an accepted packet comes
 * from its sender's lease (or is the sender's own host traffic), is addressed to our subnet and only had its TTL and
 * checksum changed; a refused one is left as it came; nothing outside the datagram is read (the buffer is exactly its
 * length) or written (guard bytes around it). An input is a choice byte (bits 0-1 the sender, bit 2 truncated, bit 3
 * store a valid header checksum first), then the datagram.
 */
class InboundCheckFuzzTest {
    static final Ipv4Prefix OWN_SUBNET = Ipv4Prefix.parse("10.244.1.0/24");
    static final int OWN_IP = ip("192.168.100.1");
    static final Lease NODE_B = new Lease(Ipv4Prefix.parse("10.244.2.0/24"), ip("192.168.100.2"));
    static final Lease NODE_C = new Lease(Ipv4Prefix.parse("10.244.3.0/24"), ip("192.168.100.3"));
    static final int STRANGER_IP = ip("192.168.100.99");
    static final List<Lease> LEASES = List.of(new Lease(OWN_SUBNET, OWN_IP), NODE_B, NODE_C);
    /** By the low two bits of an input's choice byte. */
    static final int[] SENDERS = {NODE_B.publicIp(), NODE_C.publicIp(), OWN_IP, STRANGER_IP};
    private static final int TRUNCATED_BIT = 4;
    /** A fuzzer seldom gets a checksum right: this bit gets past it to the checks of addresses and TTL. */
    private static final int FIX_CHECKSUM_BIT = 8;
    private static final int GUARD = 32;
    private static final byte GUARD_BYTE = (byte)0xA5;
    private static final Path CORPUS = Paths.get(
        "src/test/resources/io/weft/dataplane/lane/InboundCheckFuzzTestInputs/deliverOnlyWhatTheSenderMaySend");

    private final InboundCheck check = new InboundCheck(OWN_SUBNET, OWN_IP);
    private final PeerTable.Peers peers = peers();

    @FuzzTest(maxDuration = "15s")
    void deliverOnlyWhatTheSenderMaySend(final byte[] input) {
        if (input.length == 0) {
            return;
        }
        final int sender = SENDERS[input[0] & 3];
        final boolean truncated = (input[0] & TRUNCATED_BIT) != 0;
        final byte[] datagram = datagram(input);
        final int length = datagram.length;
        final byte[] buffer = new byte[GUARD + length + GUARD];
        Arrays.fill(buffer, GUARD_BYTE);
        System.arraycopy(datagram, 0, buffer, GUARD, length);

        final DataplaneCounter refusal =
            check.check(new UnsafeBuffer(buffer, GUARD, length), length, truncated, sender, peers);

        assertGuardsUntouched(buffer, length);
        final byte[] after = Arrays.copyOfRange(buffer, GUARD, GUARD + length);
        if (refusal != null) {
            assertThat(after).as("refused as %s, left as it came", refusal).isEqualTo(datagram);
            return;
        }
        assertDeliverable(datagram, sender, truncated);
        assertOnlyTtlAndChecksumChanged(datagram, after);
    }

    /** The fuzzer cannot compute header checksums: seeds that are delivered carry it to the accepting path. */
    @Test
    void shouldDeliverTheCorpusSeedsMadeToBeDelivered() throws IOException {
        try (Stream<Path> seeds = Files.list(CORPUS)) {
            final List<Path> deliverable = seeds.filter(seed -> seed.getFileName().toString().startsWith("deliver-"))
                .toList();
            assertThat(deliverable).hasSizeGreaterThanOrEqualTo(3);
            for (final Path seed : deliverable) {
                final byte[] input = Files.readAllBytes(seed);
                final byte[] datagram = datagram(input);
                assertThat(check.check(new UnsafeBuffer(datagram), datagram.length, false, SENDERS[input[0] & 3],
                    peers)).as(seed.getFileName().toString()).isNull();
            }
        }
    }

    /** The datagram of a non-empty input, its checksum stored if the choice byte says so. */
    private static byte[] datagram(final byte[] input) {
        final byte[] datagram = Arrays.copyOfRange(input, 1, input.length);
        if ((input[0] & FIX_CHECKSUM_BIT) != 0 && datagram.length >= Ipv4Header.MIN_LENGTH
            && TestPackets.headerLength(datagram) <= datagram.length) {
            TestPackets.storeHeaderChecksum(datagram);
        }
        return datagram;
    }

    /** What a delivered datagram must be, decided from its bytes as they came, independently of InboundCheck. */
    static void assertDeliverable(final byte[] packet, final int sender, final boolean truncated) {
        assertThat(truncated).as("a truncated datagram is never delivered").isFalse();
        assertThat(sender).as("neither this node nor a stranger sends what is delivered")
            .isIn(NODE_B.publicIp(), NODE_C.publicIp());
        final Lease senders = sender == NODE_B.publicIp() ? NODE_B : NODE_C;
        assertThat(packet.length).isGreaterThanOrEqualTo(Ipv4Header.MIN_LENGTH);
        assertThat(packet[0] >> 4 & 0xF).as("version").isEqualTo(4);
        final int headerLength = (packet[0] & 0xF) * 4;
        assertThat(headerLength).isBetween(Ipv4Header.MIN_LENGTH, packet.length);
        assertThat(TestPackets.getShort(packet, Ipv4Header.TOTAL_LENGTH_OFFSET)).isEqualTo(packet.length);
        assertThat(TestPackets.checksumVerifies(packet, 0, headerLength)).as("header checksum").isTrue();
        final int source = TestPackets.getInt(packet, Ipv4Header.SOURCE_OFFSET);
        assertThat(senders.subnet().contains(source) || source == sender)
            .as("source %08x inside the lease of the sender %08x, or the sender itself", source, sender).isTrue();
        assertThat(OWN_SUBNET.contains(TestPackets.getInt(packet, Ipv4Header.DESTINATION_OFFSET)))
            .as("destination in our subnet").isTrue();
        assertThat(packet[Ipv4Header.TTL_OFFSET] & 0xFF).as("TTL left after ours").isGreaterThan(1);
    }

    static void assertOnlyTtlAndChecksumChanged(final byte[] before, final byte[] after) {
        final byte[] expected = before.clone();
        expected[Ipv4Header.TTL_OFFSET]--;
        final int headerLength = (before[0] & 0xF) * 4;
        assertThat(TestPackets.checksumVerifies(after, 0, headerLength)).as("checksum after the TTL").isTrue();
        expected[Ipv4Header.CHECKSUM_OFFSET] = after[Ipv4Header.CHECKSUM_OFFSET];
        expected[Ipv4Header.CHECKSUM_OFFSET + 1] = after[Ipv4Header.CHECKSUM_OFFSET + 1];
        assertThat(after).as("only the TTL and the checksum changed").isEqualTo(expected);
    }

    private static void assertGuardsUntouched(final byte[] buffer, final int length) {
        for (int i = 0; i < GUARD; i++) {
            assertThat(buffer[i]).as("guard byte %d before the datagram", i).isEqualTo(GUARD_BYTE);
            assertThat(buffer[GUARD + length + i]).as("guard byte %d after the datagram", i).isEqualTo(GUARD_BYTE);
        }
    }

    static PeerTable.Peers peers() {
        final PeerTable table = new PeerTable(8285);
        table.replaceAll(LEASES);
        return table.current();
    }

    private static void seed(final String name, final int choice, final byte[] datagram) throws IOException {
        final byte[] input = new byte[datagram.length + 1];
        input[0] = (byte)choice;
        System.arraycopy(datagram, 0, input, 1, datagram.length);
        Files.write(CORPUS.resolve(name), input);
    }

    /** Writes the seed corpus (run from the module's directory): how the committed seeds were made. */
    public static void main(final String[] args) throws IOException {
        Files.createDirectories(CORPUS);
        final int podB = ip("10.244.2.5");
        final int podC = ip("10.244.3.5");
        final int podOwn = ip("10.244.1.7");
        seed("deliver-udp-from-pod-b", 0, TestPackets.udp().source(podB).destination(podOwn).totalLength(84).build());
        seed("deliver-tcp-from-pod-c", 1, TestPackets.tcp().source(podC).destination(podOwn).totalLength(60).build());
        seed("deliver-options-ttl-2", 1,
            TestPackets.ipv4(6).ipHeaderLength(60).ttl(2).source(podC).destination(ip("10.244.1.255")).build());
        seed("deliver-host-of-b", 0, LanePackets.udp(60, 64, NODE_B.publicIp(), podOwn));
        seed("refuse-truncated", TRUNCATED_BIT, TestPackets.udp().source(podB).destination(podOwn).totalLength(60)
            .build());
        seed("refuse-spoofed-pod-c-from-b", 0, TestPackets.udp().source(podC).destination(podOwn).totalLength(60)
            .build());
        seed("refuse-from-this-node", 2, TestPackets.udp().source(ip("10.244.1.9")).destination(podOwn)
            .totalLength(60).build());
        seed("refuse-stranger", 3, LanePackets.udp(60, 64, STRANGER_IP, podOwn));
        seed("refuse-not-for-us", 0, TestPackets.udp().source(podB).destination(podC).totalLength(60).build());
        seed("refuse-ttl-1", 0, TestPackets.udp().source(podB).destination(podOwn).ttl(1).totalLength(60).build());
        seed("refuse-ipv6", 0, TestPackets.ipv6());
        seed("refuse-short", 0, Arrays.copyOf(TestPackets.udp().source(podB).destination(podOwn).build(), 19));
        final byte[] unchecked = TestPackets.udp().source(podB).destination(podOwn).totalLength(60).build();
        unchecked[Ipv4Header.CHECKSUM_OFFSET] ^= 0x55;
        seed("refuse-bad-checksum", 0, unchecked);
        seed("deliver-checksum-fixed", FIX_CHECKSUM_BIT, unchecked);
    }
}
