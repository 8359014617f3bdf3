package io.weft.soak.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ProbeCodecTest {
    @Test
    void shouldDecodeWhatItEncodes() {
        ByteBuffer buffer = ByteBuffer.allocate(ProbeCodec.LENGTH);
        ProbeCodec.encode(buffer, 0x0af40102, 77, 123_456_789L, 42);

        assertThat(ProbeCodec.isIntact(buffer)).isTrue();
        assertThat(ProbeCodec.source(buffer)).isEqualTo(0x0af40102);
        assertThat(ProbeCodec.instance(buffer)).isEqualTo(77);
        assertThat(ProbeCodec.sequence(buffer)).isEqualTo(123_456_789L);
        assertThat(ProbeCodec.sendMicros(buffer)).isEqualTo(42);
    }

    @Test
    void shouldRecogniseAnyFlippedBitAndAnyOtherLength() {
        ByteBuffer buffer = ByteBuffer.allocate(ProbeCodec.LENGTH);
        for (int bit = 0; bit < ProbeCodec.LENGTH * 8; bit++) {
            ProbeCodec.encode(buffer, 1, 2, 3, 4);
            buffer.put(bit / 8, (byte) (buffer.get(bit / 8) ^ (1 << (bit % 8))));
            assertThat(ProbeCodec.isIntact(buffer)).as("bit %d flipped", bit).isFalse();
        }
        ProbeCodec.encode(buffer, 1, 2, 3, 4);
        buffer.limit(ProbeCodec.LENGTH - 1);
        assertThat(ProbeCodec.isIntact(buffer)).isFalse();
    }
}
