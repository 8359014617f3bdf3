package io.weft.dataplane.packet;

import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class TransportChecksumTest {
    @Test
    void shouldMatchTheReferenceSumWhenBytesAndOffsetsAreRandom() {
        final Random random = new Random(0x5EED_0793L);
        for (int run = 0; run < 20_000; run++) {
            final byte[] data = new byte[1 + random.nextInt(300)];
            random.nextBytes(data);
            final int offset = random.nextInt(data.length);
            final int length = random.nextInt(data.length - offset + 1);

            assertThat(TransportChecksum.fold(TransportChecksum.sum(new UnsafeBuffer(data), offset, length)))
                .as("run %d offset %d length %d", run, offset, length)
                .isEqualTo(TestPackets.onesComplementSum(data, offset, length));
        }
    }

    @Test
    void shouldMatchTheReferenceSumInNativeMemoryAsOnTheHeap() {
        final Random random = new Random(0x0FF_4EA9L);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
        for (int run = 0; run < 2_000; run++) {
            final byte[] data = new byte[1 + random.nextInt(2048)];
            random.nextBytes(data);
            direct.putBytes(0, data);
            final int offset = random.nextInt(data.length);
            final int length = random.nextInt(data.length - offset + 1);

            assertThat(TransportChecksum.fold(TransportChecksum.sum(direct, offset, length)))
                .as("run %d offset %d length %d", run, offset, length)
                .isEqualTo(TestPackets.onesComplementSum(data, offset, length));
        }
    }

    @Test
    void shouldFoldEveryCarryWhenTheBytesAreAll64KilobytesOfOnes() {
        final byte[] ones = new byte[65535];
        Arrays.fill(ones, (byte)0xFF);

        assertThat(TransportChecksum.fold(TransportChecksum.sum(new UnsafeBuffer(ones), 0, 65534))).isEqualTo(0xFFFF);
        assertThat(TransportChecksum.fold(TransportChecksum.sum(new UnsafeBuffer(ones), 0, 65535))).isEqualTo(0xFF00);
        assertThat(TransportChecksum.fold(0)).isZero();
    }

    @Test
    void shouldSumThePseudoHeaderAsItsTwelveBytesWhenAddressesHaveHighBitsSet() {
        final int source = ip("255.254.10.1");
        final int destination = ip("192.168.200.7");
        final byte[] pseudo = new byte[12];
        TestPackets.putInt(pseudo, 0, source);
        TestPackets.putInt(pseudo, 4, destination);
        pseudo[9] = 6;
        TestPackets.putShort(pseudo, 10, 65515);

        assertThat(TransportChecksum.fold(TransportChecksum.pseudoHeaderSum(source, destination, 6, 65515)))
            .isEqualTo(TestPackets.onesComplementSum(pseudo, 0, 12));
    }
}
