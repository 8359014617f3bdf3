package io.weft.dataplane.packet;

import java.nio.ByteBuffer;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/** One page-aligned off-heap packet buffer, allocated at setup and reused for every packet of one thread. */
public final class PacketBuffer {
    /** The largest IPv4 packet: a read of this size never truncates, whatever the MTU or offloads. */
    public static final int MAX_PACKET_LENGTH = 65535;
    private static final int PAGE_ALIGNMENT = 4096;

    public final UnsafeBuffer buffer;
    public final long address;
    public final int capacity;

    public PacketBuffer(final int capacity) {
        final ByteBuffer memory = BufferUtil.allocateDirectAligned(
            (capacity + PAGE_ALIGNMENT - 1) / PAGE_ALIGNMENT * PAGE_ALIGNMENT, PAGE_ALIGNMENT);
        this.buffer = new UnsafeBuffer(memory);
        this.address = buffer.addressOffset();
        this.capacity = capacity;
    }
}
