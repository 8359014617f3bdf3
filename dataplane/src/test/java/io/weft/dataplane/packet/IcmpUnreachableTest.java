package io.weft.dataplane.packet;

import static io.weft.dataplane.packet.TestPackets.getInt;
import static io.weft.dataplane.packet.TestPackets.getShort;
import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IcmpUnreachableTest {
    private static final int OWN_TUN_ADDRESS = ip("10.244.1.0");
    private static final int POD = ip("10.244.1.2");
    private static final int NOWHERE = ip("10.99.0.1");
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long T0_NS = 7 * SECOND_NS + 123;
    /** As large as TunReader's reply buffer: IPv4 header, ICMP header, a 60-byte header and 8 bytes quoted. */
    private static final int REPLY_CAPACITY = 20 + 8 + 68;

    @ParameterizedTest(name = "header {0} bytes, packet {1} bytes -> {2} bytes quoted")
    @CsvSource({
        "20, 100, 28", "20, 28, 28", "20, 27, 27", "20, 24, 24", "20, 21, 21", "20, 20, 20",
        "24, 1400, 32", "60, 68, 68", "60, 65535, 68", "60, 61, 61"})
    void shouldBuildANetUnreachableThatQuotesTheHeaderAndEightBytes(final int headerLength, final int packetLength,
        final int quotedLength) {
        final byte[] packet = TestPackets.ipv4(Ipv4Header.PROTOCOL_UDP).ipHeaderLength(headerLength)
            .totalLength(packetLength).ttl(63).source(POD).destination(NOWHERE).build();
        final byte[] reply = new byte[REPLY_CAPACITY];
        Arrays.fill(reply, (byte)0xA5); // whatever the buffer held before must not leak into the reply

        final int replyLength = new IcmpUnreachable(OWN_TUN_ADDRESS, 10)
            .build(new UnsafeBuffer(packet), packetLength, new UnsafeBuffer(reply));

        assertThat(replyLength).isEqualTo(20 + 8 + quotedLength);
        assertThat(reply[0]).as("version 4, IHL 5").isEqualTo((byte)0x45);
        assertThat(reply[1]).as("type of service").isZero();
        assertThat(getShort(reply, 2)).as("total length").isEqualTo(replyLength);
        assertThat(getInt(reply, 4)).as("identification, flags, fragment offset").isZero();
        assertThat(reply[8] & 0xFF).as("TTL").isEqualTo(64);
        assertThat(reply[9] & 0xFF).as("protocol").isEqualTo(Ipv4Header.PROTOCOL_ICMP);
        assertThat(getInt(reply, 12)).as("source").isEqualTo(OWN_TUN_ADDRESS);
        assertThat(getInt(reply, 16)).as("destination").isEqualTo(POD);
        assertThat(TestPackets.checksumVerifies(reply, 0, 20)).as("IPv4 header checksum").isTrue();
        assertThat(reply[20] & 0xFF).as("ICMP type").isEqualTo(3);
        assertThat(reply[21] & 0xFF).as("ICMP code").isZero();
        assertThat(getInt(reply, 24)).as("unused").isZero();
        assertThat(TestPackets.checksumVerifies(reply, 20, replyLength - 20)).as("ICMP checksum").isTrue();
        assertThat(Arrays.copyOfRange(reply, 28, replyLength)).as("quoted")
            .isEqualTo(Arrays.copyOf(packet, quotedLength));
        assertThat(reply[replyLength - 1]).isEqualTo(packet[quotedLength - 1]);
        final Ipv4Header header = new Ipv4Header().wrap(new UnsafeBuffer(reply));
        assertThat(header.totalLength()).isEqualTo(replyLength);
        assertThat(header.hasValidChecksum()).isTrue();
    }

    @Test
    void shouldLeaveTheOffendingPacketAloneWhenBuildingTheReply() {
        final byte[] packet = toNowhere().ttl(63).build();
        final byte[] before = packet.clone();

        new IcmpUnreachable(OWN_TUN_ADDRESS, 10).build(new UnsafeBuffer(packet), 100, new UnsafeBuffer(new byte[96]));

        assertThat(packet).isEqualTo(before);
    }

    @Test
    void shouldNotAnswerWhenTheOffenderIsIcmp() {
        final IcmpUnreachable icmp = new IcmpUnreachable(OWN_TUN_ADDRESS, 10);
        final byte[] ping = TestPackets.icmp().totalLength(84).source(POD).destination(NOWHERE).build();

        assertThat(icmp.shouldAnswer(new UnsafeBuffer(ping), T0_NS)).isFalse();
    }

    @ParameterizedTest(name = "flags and offset 0x{0} -> answer {1}")
    @CsvSource({"0000, true", "4000, true", "2000, true", "2001, false", "00B9, false", "1FFF, false"})
    void shouldAnswerOnlyTheFirstFragmentWhenThePacketIsFragmented(final String flagsAndOffset, final boolean answer) {
        final IcmpUnreachable icmp = new IcmpUnreachable(OWN_TUN_ADDRESS, 10);
        final byte[] packet = toNowhere().flagsAndFragmentOffset(Integer.parseInt(flagsAndOffset, 16)).build();

        assertThat(icmp.shouldAnswer(new UnsafeBuffer(packet), T0_NS)).isEqualTo(answer);
    }

    @Test
    void shouldAnswerAtMostTheLimitWhenManyPacketsComeWithinOneSecond() {
        final IcmpUnreachable icmp = new IcmpUnreachable(OWN_TUN_ADDRESS, 3);
        final UnsafeBuffer packet = new UnsafeBuffer(toNowhere().build());

        assertThat(icmp.shouldAnswer(packet, T0_NS)).isTrue();
        assertThat(icmp.shouldAnswer(packet, T0_NS + 1)).isTrue();
        assertThat(icmp.shouldAnswer(packet, T0_NS + SECOND_NS / 2)).isTrue();
        assertThat(icmp.shouldAnswer(packet, T0_NS + SECOND_NS / 2)).isFalse();
        assertThat(icmp.shouldAnswer(packet, T0_NS + SECOND_NS - 1)).isFalse();
    }

    @Test
    void shouldAnswerAgainWhenASecondHasPassed() {
        final IcmpUnreachable icmp = new IcmpUnreachable(OWN_TUN_ADDRESS, 2);
        final UnsafeBuffer packet = new UnsafeBuffer(toNowhere().build());
        assertThat(icmp.shouldAnswer(packet, T0_NS)).isTrue();
        assertThat(icmp.shouldAnswer(packet, T0_NS)).isTrue();
        assertThat(icmp.shouldAnswer(packet, T0_NS)).isFalse();

        assertThat(icmp.shouldAnswer(packet, T0_NS + SECOND_NS)).isTrue();
        assertThat(icmp.shouldAnswer(packet, T0_NS + SECOND_NS + 5)).isTrue();
        assertThat(icmp.shouldAnswer(packet, T0_NS + SECOND_NS + 6)).isFalse();
        assertThat(icmp.shouldAnswer(packet, T0_NS + 60 * SECOND_NS)).isTrue();
    }

    @Test
    void shouldNotSpendTheLimitWhenThePacketIsNotAnswerable() {
        final IcmpUnreachable icmp = new IcmpUnreachable(OWN_TUN_ADDRESS, 1);
        final UnsafeBuffer ping =
            new UnsafeBuffer(TestPackets.icmp().totalLength(84).source(POD).destination(NOWHERE).build());
        final byte[] fragment = toNowhere().flagsAndFragmentOffset(185).build();

        for (int i = 0; i < 10; i++) {
            assertThat(icmp.shouldAnswer(ping, T0_NS + i)).isFalse();
            assertThat(icmp.shouldAnswer(new UnsafeBuffer(fragment), T0_NS + i)).isFalse();
        }

        assertThat(icmp.shouldAnswer(new UnsafeBuffer(toNowhere().build()), T0_NS + 10)).isTrue();
    }

    @Test
    void shouldNeverAnswerWhenTheLimitIsZero() {
        final IcmpUnreachable icmp = new IcmpUnreachable(OWN_TUN_ADDRESS, 0);
        final UnsafeBuffer packet = new UnsafeBuffer(toNowhere().build());

        for (long t = 0; t < 5; t++) {
            assertThat(icmp.shouldAnswer(packet, T0_NS + t * SECOND_NS)).isFalse();
        }
    }

    /** A 100-byte UDP datagram from the pod to an address no node leases. */
    private static TestPackets.Builder toNowhere() {
        return TestPackets.udp().totalLength(100).source(POD).destination(NOWHERE);
    }
}
