package io.weft.dataplane.lane;

import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.weft.dataplane.packet.Ipv4Header;
import io.weft.dataplane.packet.TestPackets;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Prefix;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InboundCheckTest {
    private static final Ipv4Prefix OWN_SUBNET = Ipv4Prefix.parse("10.244.1.0/24");
    private static final int OWN_IP = ip("192.168.100.1");
    private static final int NODE_B_IP = ip("192.168.100.2");
    private static final int NODE_C_IP = ip("192.168.100.3");
    private static final int STRANGER_IP = ip("192.168.100.99");
    private static final Lease OWN = new Lease(OWN_SUBNET, OWN_IP);
    private static final Lease NODE_B = new Lease(Ipv4Prefix.parse("10.244.2.0/24"), NODE_B_IP);
    private static final Lease NODE_C = new Lease(Ipv4Prefix.parse("10.244.3.0/24"), NODE_C_IP);
    private static final int POD_B = ip("10.244.2.5");
    private static final int POD_C = ip("10.244.3.5");
    private static final int POD_OWN = ip("10.244.1.7");

    private final InboundCheck check = new InboundCheck(OWN_SUBNET, OWN_IP);
    private final PeerTable.Peers peers = peers(OWN, NODE_B, NODE_C);

    @Test
    void shouldDeliverAndDecrementTtlWhenThePacketIsFromTheNodeLeasingItsSource() {
        final byte[] packet = fromPodB().totalLength(84).build();
        final byte[] before = packet.clone();

        assertThat(check(packet, packet.length, NODE_B_IP)).isNull();

        assertThat(packet[Ipv4Header.TTL_OFFSET]).isEqualTo((byte)63);
        assertThat(TestPackets.checksumVerifies(packet, 0, 20)).isTrue();
        before[Ipv4Header.TTL_OFFSET] = 63;
        TestPackets.storeHeaderChecksum(before);
        assertThat(packet).isEqualTo(before);
    }

    @Test
    void shouldDeliverWhenTheHeaderHasOptionsAndNoPayload() {
        final byte[] packet =
            TestPackets.ipv4(6).ipHeaderLength(60).ttl(2).source(POD_C).destination(ip("10.244.1.255")).build();

        assertThat(check(packet, packet.length, NODE_C_IP)).isNull();
        assertThat(packet[Ipv4Header.TTL_OFFSET]).isEqualTo((byte)1);
        assertThat(TestPackets.checksumVerifies(packet, 0, 60)).isTrue();
    }

    @Test
    void shouldRefuseAsEmptyWhenTheDatagramHasNoBytes() {
        assertRefused(new byte[0], 0, false, NODE_B_IP, DataplaneCounter.DROP_EMPTY);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 8, 19})
    void shouldRefuseAsTooShortWhenTheDatagramIsShorterThanAnIpv4Header(final int length) {
        final byte[] packet = TestPackets.ipv4(17).source(POD_B).destination(POD_OWN).build();

        assertRefused(packet, length, false, NODE_B_IP, DataplaneCounter.DROP_TOO_SHORT);
    }

    @Test
    void shouldRefuseAsOversizeWhenTheDatagramWasTruncated() {
        final byte[] packet = fromPodB().totalLength(1500).build();

        assertRefused(packet, packet.length, true, NODE_B_IP, DataplaneCounter.DROP_OVERSIZE);
    }

    @Test
    void shouldRefuseAsNotIpv4WhenThePacketIsIpv6() {
        final byte[] packet = TestPackets.ipv6();

        assertRefused(packet, packet.length, false, NODE_B_IP, DataplaneCounter.DROP_NOT_IPV4);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 5, 15})
    void shouldRefuseAsNotIpv4WhenTheVersionIsNotFour(final int version) {
        final byte[] packet = fromPodB().totalLength(40).build();
        packet[0] = (byte)((version << 4) | 5);

        assertRefused(packet, packet.length, false, NODE_B_IP, DataplaneCounter.DROP_NOT_IPV4);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4})
    void shouldRefuseAsBadHeaderLengthWhenIhlIsBelowFive(final int ihl) {
        final byte[] packet = fromPodB().totalLength(40).build();
        packet[0] = (byte)(0x40 | ihl);

        assertRefused(packet, packet.length, false, NODE_B_IP, DataplaneCounter.DROP_BAD_HEADER_LENGTH);
    }

    @Test
    void shouldRefuseAsBadHeaderLengthWhenTheHeaderIsLongerThanTheDatagram() {
        final byte[] packet = fromPodB().totalLength(40).build();
        packet[0] = (byte)0x4F; // 60 bytes of header in a 40-byte datagram

        assertRefused(packet, packet.length, false, NODE_B_IP, DataplaneCounter.DROP_BAD_HEADER_LENGTH);
    }

    @Test
    void shouldRefuseAsBadTotalLengthWhenTheDatagramIsShorterThanTotalLength() {
        final byte[] packet = fromPodB().totalLength(100).build();

        assertRefused(packet, 80, false, NODE_B_IP, DataplaneCounter.DROP_BAD_TOTAL_LENGTH);
    }

    @Test
    void shouldRefuseAsBadTotalLengthWhenTheDatagramIsLongerThanTotalLength() {
        final byte[] packet = TestPackets.withTotalLength(fromPodB().totalLength(100).build(), 60);

        assertRefused(packet, packet.length, false, NODE_B_IP, DataplaneCounter.DROP_BAD_TOTAL_LENGTH);
    }

    @Test
    void shouldRefuseAsBadChecksumWhenAHeaderByteIsCorrupted() {
        final byte[] packet = fromPodB().totalLength(60).build();
        packet[Ipv4Header.IDENTIFICATION_OFFSET] ^= 0x10;

        assertRefused(packet, packet.length, false, NODE_B_IP, DataplaneCounter.DROP_BAD_CHECKSUM);
    }

    @Test
    void shouldRefuseAsUnknownSenderWhenTheSenderHoldsNoLease() {
        final byte[] packet = fromPodB().totalLength(60).build();

        assertRefused(packet, packet.length, false, STRANGER_IP, DataplaneCounter.DROP_UNKNOWN_SENDER);
    }

    @Test
    void shouldRefuseAsUnknownSenderWhenNoNodeHoldsALease() {
        final byte[] packet = fromPodB().totalLength(60).build();
        final byte[] before = packet.clone();

        assertThat(check.check(new UnsafeBuffer(packet), packet.length, false, NODE_B_IP, peers()))
            .isEqualTo(DataplaneCounter.DROP_UNKNOWN_SENDER);
        assertThat(packet).isEqualTo(before);
    }

    @Test
    void shouldRefuseAsSpoofedWhenAKnownSenderUsesAnotherNodesSubnet() {
        final byte[] packet = TestPackets.udp().source(POD_C).destination(POD_OWN).totalLength(60).build();

        assertRefused(packet, packet.length, false, NODE_B_IP, DataplaneCounter.DROP_SPOOFED_SOURCE);
    }

    @Test
    void shouldRefuseAsSpoofedWhenAKnownSenderUsesOurSubnet() {
        final byte[] packet = TestPackets.udp().source(ip("10.244.1.9")).destination(POD_OWN).totalLength(60).build();

        assertRefused(packet, packet.length, false, NODE_B_IP, DataplaneCounter.DROP_SPOOFED_SOURCE);
    }

    @Test
    void shouldRefuseAsSpoofedWhenAKnownSenderUsesAnAddressOutsideEveryLease() {
        final byte[] packet = TestPackets.udp().source(ip("8.8.8.8")).destination(POD_OWN).totalLength(60).build();

        assertRefused(packet, packet.length, false, NODE_B_IP, DataplaneCounter.DROP_SPOOFED_SOURCE);
    }

    @Test
    void shouldDeliverWhenTheSourceIsTheSendingNodesOwnUnderlayAddress() {
        final byte[] packet = LanePackets.udp(60, 64, NODE_B_IP, POD_OWN);

        assertThat(check(packet, packet.length, NODE_B_IP)).isNull();
    }

    @Test
    void shouldRefuseAsSpoofedWhenAKnownSenderUsesAnotherNodesUnderlayAddress() {
        assertRefused(LanePackets.udp(60, 64, NODE_C_IP, POD_OWN), 60, false, NODE_B_IP,
            DataplaneCounter.DROP_SPOOFED_SOURCE);
        assertRefused(LanePackets.udp(60, 64, OWN_IP, POD_OWN), 60, false, NODE_B_IP,
            DataplaneCounter.DROP_SPOOFED_SOURCE);
    }

    @Test
    void shouldRefuseWhatThisNodeSendsToItselfWhateverItCarries() {
        assertRefused(TestPackets.udp().source(ip("10.244.1.9")).destination(POD_OWN).totalLength(60).build(), 60,
            false, OWN_IP, DataplaneCounter.DROP_FROM_THIS_NODE);
        assertRefused(LanePackets.udp(60, 64, OWN_IP, POD_OWN), 60, false, OWN_IP,
            DataplaneCounter.DROP_FROM_THIS_NODE);
        assertRefused(fromPodB().totalLength(60).build(), 60, false, OWN_IP, DataplaneCounter.DROP_FROM_THIS_NODE);
    }

    @Test
    void shouldRefuseAsUnknownSenderWhenAStrangerUsesItsOwnAddress() {
        assertRefused(LanePackets.udp(60, 64, STRANGER_IP, POD_OWN), 60, false, STRANGER_IP,
            DataplaneCounter.DROP_UNKNOWN_SENDER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.244.2.7", "10.244.0.1", "10.244.3.1", "8.8.8.8", "255.255.255.255"})
    void shouldRefuseAsNotForThisNodeWhenTheDestinationIsOutsideOurSubnet(final String destination) {
        final byte[] packet = TestPackets.udp().source(POD_B).destination(ip(destination)).totalLength(60).build();

        assertRefused(packet, packet.length, false, NODE_B_IP, DataplaneCounter.DROP_NOT_FOR_THIS_NODE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void shouldRefuseAsTtlExpiredWhenTtlWouldReachZero(final int ttl) {
        final byte[] packet = fromPodB().ttl(ttl).totalLength(60).build();

        assertRefused(packet, packet.length, false, NODE_B_IP, DataplaneCounter.DROP_TTL_EXPIRED);
    }

    @Test
    void shouldNeverThrowNorAcceptWhenBytesAndLengthsAreRandom() {
        final Random random = new Random(0x5EED_F022L);
        for (int run = 0; run < 20_000; run++) {
            final int length = random.nextInt(5) == 0 ? random.nextInt(20) : random.nextInt(1600);
            final byte[] packet = new byte[length];
            random.nextBytes(packet);
            if (length > 0 && random.nextBoolean()) {
                packet[0] = (byte)(0x40 | (packet[0] & 0x0F));
            }
            final int sender = pickSender(random);
            final byte[] before = packet.clone();
            final int currentRun = run;

            assertThatCode(() -> check.check(new UnsafeBuffer(packet), length, random.nextInt(8) == 0, sender, peers))
                .as("run %d", currentRun)
                .doesNotThrowAnyException();
            assertThat(packet).as("run %d", run).isEqualTo(before);
        }
    }

    /**
     * Mostly well-formed packets with one or more fields made wrong at random: whatever the mix, nothing reads past
     * the datagram (the buffer is exactly its length), a refused packet is left untouched and an accepted one comes
     * from inside its sender's subnet, goes to ours and had its TTL decremented.
     */
    @Test
    void shouldOnlyAcceptPacketsFromTheSendersSubnetWhenFieldsAreRandomized() {
        final Random random = new Random(0x5EED_5900FL);
        final Map<DataplaneCounter, Integer> outcomes = new EnumMap<>(DataplaneCounter.class);
        int accepted = 0;
        for (int run = 0; run < 50_000; run++) {
            final int sender = pickSender(random);
            final int headerLength = random.nextInt(4) == 0 ? 4 * (5 + random.nextInt(11)) : 20;
            final int totalLength = headerLength + random.nextInt(200);
            final int ttl = random.nextInt(6) == 0 ? random.nextInt(2) : 1 + random.nextInt(255);
            final byte[] packet = TestPackets.ipv4(random.nextInt(256)).ipHeaderLength(headerLength)
                .totalLength(totalLength).ttl(ttl).source(pickAddress(random))
                .destination(random.nextInt(3) == 0 ? random.nextInt() : POD_OWN + random.nextInt(200)).build();
            final int length = mutate(random, packet);
            final byte[] datagram = Arrays.copyOf(packet, length);
            final byte[] before = datagram.clone();
            final String description = "run " + run;

            final DataplaneCounter refusal = check.check(new UnsafeBuffer(datagram), length, false, sender, peers);

            if (refusal == null) {
                accepted++;
                assertThat(sender).as(description).isNotEqualTo(OWN_IP);
                final int source = TestPackets.getInt(datagram, Ipv4Header.SOURCE_OFFSET);
                final Lease senderLease = List.of(OWN, NODE_B, NODE_C).stream()
                    .filter(lease -> lease.publicIp() == sender).findFirst().orElseThrow();
                assertThat(senderLease.subnet().contains(source)).as(description).isTrue();
                assertThat(OWN_SUBNET.contains(TestPackets.getInt(datagram, Ipv4Header.DESTINATION_OFFSET)))
                    .as(description).isTrue();
                assertThat(datagram[Ipv4Header.TTL_OFFSET] & 0xFF).as(description)
                    .isEqualTo((before[Ipv4Header.TTL_OFFSET] & 0xFF) - 1);
                assertThat(TestPackets.checksumVerifies(datagram, 0, TestPackets.headerLength(datagram)))
                    .as(description).isTrue();
            } else {
                outcomes.merge(refusal, 1, Integer::sum);
                assertThat(datagram).as(description).isEqualTo(before);
            }
        }

        assertThat(accepted).isGreaterThan(1_000);
        assertThat(outcomes).containsKeys(
            DataplaneCounter.DROP_NOT_IPV4, DataplaneCounter.DROP_BAD_HEADER_LENGTH,
            DataplaneCounter.DROP_BAD_TOTAL_LENGTH, DataplaneCounter.DROP_BAD_CHECKSUM,
            DataplaneCounter.DROP_UNKNOWN_SENDER, DataplaneCounter.DROP_SPOOFED_SOURCE,
            DataplaneCounter.DROP_FROM_THIS_NODE, DataplaneCounter.DROP_NOT_FOR_THIS_NODE,
            DataplaneCounter.DROP_TTL_EXPIRED);
    }

    /** Breaks zero or more fields of a valid packet; returns the datagram length to use. */
    private static int mutate(final Random random, final byte[] packet) {
        int length = packet.length;
        switch (random.nextInt(10)) {
            case 0 -> packet[0] = (byte)((random.nextInt(16) << 4) | (packet[0] & 0x0F));
            case 1 -> packet[0] = (byte)(0x40 | random.nextInt(16));
            case 2 -> length = random.nextInt(packet.length + 1);
            case 3 -> packet[random.nextInt(Math.min(packet.length, 20))] ^= (byte)(1 << random.nextInt(8));
            case 4 -> {
                TestPackets.putShort(packet, Ipv4Header.TOTAL_LENGTH_OFFSET, random.nextInt(0x10000));
                TestPackets.storeHeaderChecksum(packet);
            }
            default -> {
                // left valid: the sender, source, destination and TTL decide
            }
        }
        return length;
    }

    private static int pickSender(final Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> OWN_IP;
            case 1, 2 -> NODE_B_IP;
            case 3 -> NODE_C_IP;
            default -> random.nextBoolean() ? STRANGER_IP : random.nextInt();
        };
    }

    private static int pickAddress(final Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> POD_OWN + random.nextInt(200);
            case 1, 2 -> POD_B + random.nextInt(200);
            case 3 -> POD_C + random.nextInt(200);
            default -> random.nextInt();
        };
    }

    private DataplaneCounter check(final byte[] packet, final int length, final int sender) {
        return check.check(new UnsafeBuffer(packet), length, false, sender, peers);
    }

    private void assertRefused(final byte[] packet, final int length, final boolean truncated, final int sender,
        final DataplaneCounter reason) {
        final byte[] before = packet.clone();

        assertThat(check.check(new UnsafeBuffer(packet), length, truncated, sender, peers)).isEqualTo(reason);
        assertThat(packet).as("a refused packet is left as it came").isEqualTo(before);
    }

    private static PeerTable.Peers peers(final Lease... leases) {
        final PeerTable table = new PeerTable(8285);
        table.replaceAll(List.of(leases));
        return table.current();
    }

    /** A UDP datagram from a pod of node B to one of ours. */
    private static TestPackets.Builder fromPodB() {
        return TestPackets.udp().source(POD_B).destination(POD_OWN);
    }
}
