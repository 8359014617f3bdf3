package io.weft.dataplane.packet;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.tun.ResidentPages;
import org.junit.jupiter.api.Test;

class PacketBufferTest {
    private static final int PAGE = 4096;

    @Test
    void shouldTakeMemoryOnlyWherePacketsWereWritten() {
        // A lane's slots: 16 of the largest packet each, where small packets touch one page of a slot.
        final PacketBuffer slots = new PacketBuffer(16 * PacketBuffer.MAX_PACKET_LENGTH);

        assertThat(ResidentPages.residentBytes(slots.address, slots.capacity)).isZero();
        slots.buffer.putInt(0, 0x45000054);
        slots.buffer.putInt(32 * PAGE, 0x45000054);
        assertThat(ResidentPages.residentBytes(slots.address, slots.capacity)).isEqualTo(2L * PAGE);
    }

    @Test
    void shouldBePageAlignedAndHoldItsWholeCapacity() {
        final PacketBuffer buffer = new PacketBuffer(PacketBuffer.MAX_PACKET_LENGTH);

        assertThat(buffer.address % PAGE).isZero();
        assertThat(buffer.buffer.capacity()).isGreaterThanOrEqualTo(buffer.capacity);
        buffer.buffer.putByte(buffer.capacity - 1, (byte)7);
        assertThat(buffer.buffer.getByte(buffer.capacity - 1)).isEqualTo((byte)7);
        assertThat(buffer.buffer.getByte(0)).isZero();
    }
}
