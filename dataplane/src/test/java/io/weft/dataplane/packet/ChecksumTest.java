package io.weft.dataplane.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class ChecksumTest {
    /** Wikipedia's IPv4 header checksum example: the stored checksum is 0xB861. */
    static final byte[] WIKIPEDIA_HEADER = bytes(
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xB8, 0x61, 0xC0, 0xA8, 0x00, 0x01,
        0xC0, 0xA8, 0x00, 0xC7);

    @Test
    void shouldSumTheRfc1071ExampleWhenLengthIsEven() {
        final byte[] data = bytes(0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7);

        assertThat(Checksum.foldedSum(new UnsafeBuffer(data), 0, data.length)).isEqualTo(0xDDF2);
    }

    @Test
    void shouldPadTheLastByteWithZeroWhenLengthIsOdd() {
        assertThat(Checksum.foldedSum(new UnsafeBuffer(bytes(0x01)), 0, 1)).isEqualTo(0x0100);
        assertThat(Checksum.foldedSum(new UnsafeBuffer(bytes(0xAB, 0xCD, 0xEF)), 0, 3)).isEqualTo(0x9ACE);
    }

    @Test
    void shouldReturnZeroWhenLengthIsZero() {
        assertThat(Checksum.foldedSum(new UnsafeBuffer(new byte[4]), 0, 0)).isZero();
    }

    @Test
    void shouldFoldEveryCarryWhenTheSumIsLarge() {
        final byte[] ones = new byte[65535];
        Arrays.fill(ones, (byte)0xFF);

        assertThat(Checksum.foldedSum(new UnsafeBuffer(ones), 0, 65534)).isEqualTo(0xFFFF);
        assertThat(Checksum.foldedSum(new UnsafeBuffer(ones), 0, 65535)).as("odd byte padded: 0xFFFF + 0xFF00")
            .isEqualTo(0xFF00);
    }

    @Test
    void shouldStoreTheKnownChecksumWhenHeaderIsWikipediasExample() {
        final byte[] header = WIKIPEDIA_HEADER.clone();
        header[10] = (byte)0xAA;
        header[11] = (byte)0x55;

        Checksum.store(new UnsafeBuffer(header), 0, header.length, Ipv4Header.CHECKSUM_OFFSET);

        assertThat(header).isEqualTo(WIKIPEDIA_HEADER);
    }

    @Test
    void shouldMatchTheReferenceSumWhenBytesAndOffsetsAreRandom() {
        final Random random = new Random(0x5EED_1071L);
        for (int run = 0; run < 20_000; run++) {
            final byte[] data = new byte[1 + random.nextInt(200)];
            random.nextBytes(data);
            final int offset = random.nextInt(data.length);
            final int length = random.nextInt(data.length - offset + 1);

            assertThat(Checksum.foldedSum(new UnsafeBuffer(data), offset, length))
                .as("run %d offset %d length %d", run, offset, length)
                .isEqualTo(TestPackets.onesComplementSum(data, offset, length));
        }
    }

    @Test
    void shouldStoreAChecksumThatVerifiesWhenBytesAreRandom() {
        final Random random = new Random(0x5EED_5707EL);
        for (int run = 0; run < 20_000; run++) {
            final int offset = 2 * random.nextInt(16);
            final int length = 4 + random.nextInt(100);
            final byte[] data = new byte[offset + length];
            random.nextBytes(data);
            final int fieldOffset = offset + 2 * random.nextInt(length / 2);

            Checksum.store(new UnsafeBuffer(data), offset, length, fieldOffset);

            assertThat(TestPackets.checksumVerifies(data, offset, length)).as("run %d", run).isTrue();
            assertThat(Checksum.foldedSum(new UnsafeBuffer(data), offset, length)).isEqualTo(0xFFFF);
        }
    }

    static byte[] bytes(final int... values) {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte)values[i];
        }
        return bytes;
    }
}
