package io.weft.tun;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jnr.ffi.Pointer;

/**
 * A small off-heap scratch area (sockaddr, ifreq, epoll_event, netlink messages) with its address.
 * Allocated once at setup; reads and writes use host byte order unless a method says network order.
 */
final class NativeBuffer {
    final ByteBuffer buffer;
    final long address;

    NativeBuffer(final int length) {
        buffer = ByteBuffer.allocateDirect(length).order(ByteOrder.nativeOrder());
        address = Pointer.wrap(Native.RUNTIME, buffer).address();
    }

    /**
     * Keeps this buffer's memory until here. Call it after the system call its {@link #address} went to: a local
     * buffer whose address has been read is otherwise unreachable, and the collector may free its memory while the
     * kernel still reads or writes it.
     */
    void keepAlive() {
        Reference.reachabilityFence(this);
    }

    void clear(final int length) {
        for (int i = 0; i < length; i++) {
            buffer.put(i, (byte)0);
        }
    }

    /** Writes a struct sockaddr_in: family, port and address in network order, zero padding. */
    void putSockaddrIn(final int offset, final int ipv4Address, final int port) {
        buffer.putShort(offset, (short)SocketConstants.AF_INET);
        buffer.putShort(offset + 2, Short.reverseBytes((short)port));
        buffer.putInt(offset + 4, Integer.reverseBytes(ipv4Address));
        buffer.putLong(offset + 8, 0L);
    }
}
