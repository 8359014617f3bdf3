package io.weft.dataplane.packet;

import io.weft.tun.AnonymousMemory;
import io.weft.tun.NativeException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One page-aligned off-heap packet buffer, allocated at setup and reused for every packet of one thread. Its memory is
 * the kernel's anonymous memory ({@link AnonymousMemory}): a page becomes resident when a packet first reaches it, so
 * slots sized for 64 KiB super-packets cost little while traffic is small, and it lives as long as the process.
 */
public final class PacketBuffer {
    /** The largest IPv4 packet: a read of this size never truncates, whatever the MTU or offloads. */
    public static final int MAX_PACKET_LENGTH = 65535;
    private static final int PAGE_ALIGNMENT = 4096;

    public final UnsafeBuffer buffer;
    public final long address;
    public final int capacity;

    public PacketBuffer(final int capacity) {
        final int length = (capacity + PAGE_ALIGNMENT - 1) / PAGE_ALIGNMENT * PAGE_ALIGNMENT;
        try {
            this.address = AnonymousMemory.map(length);
        } catch (final NativeException e) {
            throw new IllegalStateException("cannot allocate a packet buffer: " + e.getMessage(), e);
        }
        this.buffer = new UnsafeBuffer(address, length);
        this.capacity = capacity;
    }
}
