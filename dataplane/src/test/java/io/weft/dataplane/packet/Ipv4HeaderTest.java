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
        final byte[] packet = TestPackets.ipv4(Ipv4Header.PROTOCOL_TCP).ipHeaderLength(headerLength).payloadLength(8)
            .source(ip("10.0.0.1")).destination(ip("10.0.0.2")).build();
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

    @Test
    void shouldReadAndWriteTheHeaderAtItsOffsetWhenWrappedInsideABuffer() {
        final byte[] packet = TestPackets.tcp().typeOfService(0x12).identification(0xBEEF).ttl(9)
            .flagsAndFragmentOffset(Ipv4Header.MORE_FRAGMENTS | 185).build();
        final byte[] bytes = new byte[7 + packet.length + 5];
        System.arraycopy(packet, 0, bytes, 7, packet.length);
        final byte[] before = bytes.clone();
        header.wrap(new UnsafeBuffer(bytes), 7);

        assertThat(header.version()).isEqualTo(4);
        assertThat(header.headerLength()).isEqualTo(20);
        assertThat(header.totalLength()).isEqualTo(packet.length);
        assertThat(header.identification()).isEqualTo(0xBEEF);
        assertThat(header.flagsAndFragmentOffset()).isEqualTo(0x2000 | 185);
        assertThat(header.isFragment()).isTrue();
        assertThat(header.isFirstFragment()).isFalse();
        assertThat(header.ttl()).isEqualTo(9);
        assertThat(header.protocol()).isEqualTo(Ipv4Header.PROTOCOL_TCP);
        assertThat(header.source()).isEqualTo(ip("10.244.1.2"));
        assertThat(header.destination()).isEqualTo(ip("10.244.2.3"));
        assertThat(header.hasValidChecksum()).isTrue();
        assertThat(header.decrementTtl()).isTrue();
        header.totalLength(0x0102).storeChecksum();

        assertThat(TestPackets.checksumVerifies(bytes, 7, 20)).isTrue();
        assertThat(getShort(bytes, 7 + Ipv4Header.TOTAL_LENGTH_OFFSET)).isEqualTo(0x0102);
        assertThat(bytes[7 + Ipv4Header.TTL_OFFSET]).isEqualTo((byte)8);
        for (int i = 0; i < bytes.length; i++) {
            if (i < 7 + Ipv4Header.TOTAL_LENGTH_OFFSET || i >= 7 + 20) {
                assertThat(bytes[i]).as("byte %d", i).isEqualTo(before[i]);
            }
        }
    }

    @ParameterizedTest(name = "flags and offset 0x{0} -> fragment {1}")
    @CsvSource({
        "0000, false", "4000, false", "8000, false", "2000, true", "0001, true", "6001, true", "1FFF, true",
        "DFFF, true"})
    void shouldTellFragmentsWhenMoreFragmentsOrAnOffsetIsSet(final String flagsAndOffset, final boolean fragment) {
        final byte[] packet = TestPackets.udp().flagsAndFragmentOffset(Integer.parseInt(flagsAndOffset, 16)).build();
        header.wrap(new UnsafeBuffer(packet));

        assertThat(header.isFragment()).isEqualTo(fragment);
    }

    @ParameterizedTest(name = "flags and offset 0x{0} -> first fragment {1}")
    @CsvSource({
        "0000, true", "4000, true", "2000, true", "8000, true", "E000, true",
        "0001, false", "2001, false", "20B9, false", "1FFF, false", "3FFF, false", "FFFF, false"})
    void shouldTellFirstFragmentsWhenFragmentOffsetIsZero(final String flagsAndOffset, final boolean first) {
        final byte[] packet = TestPackets.udp().source(ip("10.244.1.2")).destination(ip("10.244.2.2")).build();
        TestPackets.putShort(packet, Ipv4Header.FLAGS_FRAGMENT_OFFSET, Integer.parseInt(flagsAndOffset, 16));
        header.wrap(new UnsafeBuffer(packet));

        assertThat(header.isFirstFragment()).isEqualTo(first);
    }

    @Test
    void shouldRefuseTheChecksumWhenAnyHeaderBitFlips() {
        final byte[] packet = TestPackets.ipv4(Ipv4Header.PROTOCOL_UDP).ipHeaderLength(24).totalLength(40)
            .source(ip("10.244.1.2")).destination(ip("10.244.2.2")).build();
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
        final byte[] two = TestPackets.ipv4(Ipv4Header.PROTOCOL_UDP).ttl(2).build();
        final byte[] max = TestPackets.ipv4(Ipv4Header.PROTOCOL_UDP).ttl(255).build();

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
        final byte[] packet = TestPackets.udp().ttl(ttl).totalLength(48).build();
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
        final byte[] packet = TestPackets.ipv4(Ipv4Header.PROTOCOL_UDP).build();
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
