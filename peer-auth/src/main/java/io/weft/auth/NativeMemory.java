package io.weft.auth;

import java.nio.ByteOrder;

import com.kenai.jffi.MemoryIO;

/**
 * Reads and writes native memory at absolute addresses through jffi (the layer jnr-ffi is built on), without
 * allocating: the packet buffers are the dataplane's, known here only by address.
 */
final class NativeMemory {
    private static final MemoryIO IO = MemoryIO.getInstance();
    private static final boolean LITTLE_ENDIAN_HOST = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private NativeMemory() {
    }

    static int getUnsignedByte(final long address) {
        return IO.getByte(address) & 0xff;
    }

    static void putByte(final long address, final int value) {
        IO.putByte(address, (byte)value);
    }

    static long getLongBigEndian(final long address) {
        final long value = IO.getLong(address);
        return LITTLE_ENDIAN_HOST ? Long.reverseBytes(value) : value;
    }

    static void putLongBigEndian(final long address, final long value) {
        IO.putLong(address, LITTLE_ENDIAN_HOST ? Long.reverseBytes(value) : value);
    }

    /** A pointer stored at {@code address}, as a native call wrote it. */
    static long getAddress(final long address) {
        return IO.getAddress(address);
    }

    static void putZeros(final long address, final int length) {
        IO.setMemory(address, length, (byte)0);
    }

    static void copy(final long from, final long to, final int length) {
        IO.copyMemory(from, to, length);
    }

    /** In the host's byte order, as C's {@code size_t} is. */
    static void putLong(final long address, final long value) {
        IO.putLong(address, value);
    }

    static long getLong(final long address) {
        return IO.getLong(address);
    }

    static void putBytes(final long address, final byte[] bytes) {
        IO.putByteArray(address, bytes, 0, bytes.length);
    }

    static byte[] getBytes(final long address, final int length) {
        final byte[] bytes = new byte[length];
        IO.getByteArray(address, bytes, 0, length);
        return bytes;
    }

    /** Zeroed memory; {@link #free} it. */
    static long allocate(final int length) {
        final long address = IO.allocateMemory(length, true);
        if (address == 0) {
            throw new OutOfMemoryError("cannot allocate " + length + " bytes of native memory");
        }
        return address;
    }

    static void free(final long address) {
        IO.freeMemory(address);
    }
}
