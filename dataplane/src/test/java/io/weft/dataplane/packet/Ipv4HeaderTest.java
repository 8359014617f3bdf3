package io.weft.dataplane.packet;

import static io.weft.dataplane.packet.TestPackets.getShort;
import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4HeaderTest {
    private final Ipv4Header header = new Ipv4Header();

    @Test
    void shouldReadEveryFieldWhenHeaderIsWikipediasExample() {
        header.wrap(new UnsafeBuffer(ChecksumTest.WIKIPEDIA_HEADER.clone()));

        assertThat(header.version()).isEqualTo(4);
        assertThat(header.headerLength()).isEqualTo(20);
        assertThat(header.totalLength()).isEqualTo(0x73);
        assertThat(header.ttl()).isEqualTo(64);
        assertThat(header.protocol()).isEqualTo(Ipv4Header.PROTOCOL_UDP);
        assertThat(header.source()).isEqualTo(ip("192.168.0.1"));
        assertThat(header.destination()).isEqualTo(ip("192.168.0.199"));
        assertThat(header.isFirstFragment()).isTrue();
        assertThat(header.hasValidChecksum()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {24, 28, 40, 60})
    void shouldCountOptionsInHeaderLengthWhenIhlIsAboveFive(final int headerLength) {
        final byte[] packet = TestPackets.ipv4(headerLength, headerLength + 8, 64, 6, ip("10.0.0.1"), ip("10.0.0.2"));
        header.wrap(new UnsafeBuffer(packet));

        assertThat(header.headerLength()).isEqualTo(headerLength);
        assertThat(header.totalLength()).isEqualTo(headerLength + 8);
        assertThat(header.protocol()).isEqualTo(Ipv4Header.PROTOCOL_TCP);
        assertThat(header.hasValidChecksum()).isTrue();
    }

    @Test
    void shouldReadUnsignedValuesWhenHighBitsAreSet() {
        final byte[] packet = new byte[20];
        packet[0] = (byte)0x6F;
        TestPackets.putShort(packet, 2, 0xFFFF);
        packet[8] = (byte)0xFF;
        packet[9] = (byte)0xFE;
        TestPackets.putInt(packet, 12, ip("255.255.255.255"));
        TestPackets.putInt(packet, 16, ip("200.1.2.3"));
        header.wrap(new UnsafeBuffer(packet));

        assertThat(header.version()).isEqualTo(6);
        assertThat(header.headerLength()).isEqualTo(60);
        assertThat(header.totalLength()).isEqualTo(65535);
        assertThat(header.ttl()).isEqualTo(255);
        assertThat(header.protocol()).isEqualTo(254);
        assertThat(header.source()).isEqualTo(0xFFFFFFFF);
        assertThat(header.destination()).isEqualTo(0xC8010203);
    }

    @ParameterizedTest(name = "flags and offset 0x{0} -> first fragment {1}")
    @CsvSource({
        "0000, true", "4000, true", "2000, true", "8000, true", "E000, true",
        "0001, false", "2001, false", "20B9, false", "1FFF, false", "3FFF, false", "FFFF, false"})
    void shouldTellFirstFragmentsWhenFragmentOffsetIsZero(final String flagsAndOffset, final boolean first) {
        final byte[] packet = TestPackets.udp(28, 64, ip("10.244.1.2"), ip("10.244.2.2"));
        TestPackets.putShort(packet, Ipv4Header.FLAGS_FRAGMENT_OFFSET, Integer.parseInt(flagsAndOffset, 16));
        header.wrap(new UnsafeBuffer(packet));

        assertThat(header.isFirstFragment()).isEqualTo(first);
    }

    @Test
    void shouldRefuseTheChecksumWhenAnyHeaderBitFlips() {
        final byte[] packet = TestPackets.ipv4(24, 40, 64, 17, ip("10.244.1.2"), ip("10.244.2.2"));
        for (int bit = 0; bit < 24 * 8; bit++) {
            final byte[] flipped = packet.clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            if (TestPackets.headerLength(flipped) != 24) {
                continue; // a flipped IHL changes which bytes are summed
            }

            assertThat(header.wrap(new UnsafeBuffer(flipped)).hasValidChecksum()).as("bit %d", bit).isFalse();
        }
    }

    @Test
    void shouldDecrementTtlAndKeepTheChecksumValidWhenHeadersAreRandom() {
        final Random random = new Random(0x5EED_1624L);
        for (int run = 0; run < 100_000; run++) {
            final byte[] packet = TestPackets.randomHeader(random, 2);
            final byte[] before = packet.clone();

            assertThat(header.wrap(new UnsafeBuffer(packet)).decrementTtl()).isTrue();

            assertDecrementedByOne(before, packet, "run " + run);
        }
    }

    @ParameterizedTest(name = "checksum 0x{0}")
    @ValueSource(strings = {"0000", "0001", "00FF", "0100", "7FFF", "FEFE", "FEFF", "FF00", "FF01", "FFFE"})
    void shouldKeepTheChecksumValidWhenTheChecksumIsAnEdgeValue(final String checksum) {
        final byte[] packet = headerWithChecksum(Integer.parseInt(checksum, 16));
        final byte[] before = packet.clone();

        assertThat(header.wrap(new UnsafeBuffer(packet)).decrementTtl()).isTrue();

        assertDecrementedByOne(before, packet, "checksum " + checksum);
    }

    @Test
    void shouldKeepTheChecksumValidWhenTheChecksumIsNegativeZero() {
        // 0xFFFF is never computed (RFC 1624 section 3) but verifies like 0x0000, so a sender may put it on the wire.
        final byte[] packet = headerWithChecksum(0x0000);
        TestPackets.putShort(packet, Ipv4Header.CHECKSUM_OFFSET, 0xFFFF);
        assertThat(TestPackets.checksumVerifies(packet, 0, 20)).isTrue();
        final byte[] before = packet.clone();

        assertThat(header.wrap(new UnsafeBuffer(packet)).decrementTtl()).isTrue();

        assertDecrementedByOne(before, packet, "checksum 0xFFFF");
    }

    @Test
    void shouldDecrementTtlWhenTtlIsTwoOrMax() {
        final byte[] two = TestPackets.udp(20, 2, ip("10.244.1.2"), ip("10.244.2.2"));
        final byte[] max = TestPackets.udp(20, 255, ip("10.244.1.2"), ip("10.244.2.2"));

        assertThat(header.wrap(new UnsafeBuffer(two)).decrementTtl()).isTrue();
        assertThat(header.ttl()).isEqualTo(1);
        assertThat(header.hasValidChecksum()).isTrue();
        assertThat(header.wrap(new UnsafeBuffer(max)).decrementTtl()).isTrue();
        assertThat(header.ttl()).isEqualTo(254);
        assertThat(header.hasValidChecksum()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void shouldRefuseAndLeaveThePacketAloneWhenTtlWouldReachZero(final int ttl) {
        final byte[] packet = TestPackets.udp(48, ttl, ip("10.244.1.2"), ip("10.244.2.2"));
        final byte[] before = packet.clone();

        assertThat(header.wrap(new UnsafeBuffer(packet)).decrementTtl()).isFalse();

        assertThat(packet).isEqualTo(before);
    }

    /** TTL one lower, checksum equal to a full recomputation, every other byte unchanged. */
    private static void assertDecrementedByOne(final byte[] before, final byte[] after, final String description) {
        final int headerLength = TestPackets.headerLength(before);
        assertThat(after[Ipv4Header.TTL_OFFSET] & 0xFF).as(description).isEqualTo((before[8] & 0xFF) - 1);
        final byte[] recomputed = after.clone();
        TestPackets.storeHeaderChecksum(recomputed);
        assertThat(getShort(after, Ipv4Header.CHECKSUM_OFFSET)).as(description)
            .isEqualTo(getShort(recomputed, Ipv4Header.CHECKSUM_OFFSET));
        assertThat(TestPackets.checksumVerifies(after, 0, headerLength)).as(description).isTrue();
        assertThat(new Ipv4Header().wrap(new UnsafeBuffer(after)).hasValidChecksum()).as(description).isTrue();
        for (int i = 0; i < before.length; i++) {
            if (i != Ipv4Header.TTL_OFFSET && i != Ipv4Header.CHECKSUM_OFFSET && i != Ipv4Header.CHECKSUM_OFFSET + 1) {
                assertThat(after[i]).as("%s: byte %d", description, i).isEqualTo(before[i]);
            }
        }
    }

    /** A valid 20-byte header with TTL 64 whose stored checksum is {@code checksum}, found by varying its id. */
    private static byte[] headerWithChecksum(final int checksum) {
        final byte[] packet = TestPackets.udp(20, 64, ip("10.244.1.2"), ip("10.244.2.2"));
        for (int id = 0; id <= 0xFFFF; id++) {
            TestPackets.putShort(packet, Ipv4Header.IDENTIFICATION_OFFSET, id);
            TestPackets.storeHeaderChecksum(packet);
            if (getShort(packet, Ipv4Header.CHECKSUM_OFFSET) == checksum) {
                return packet;
            }
        }
        throw new AssertionError("no identification gives checksum " + Integer.toHexString(checksum));
    }
}
