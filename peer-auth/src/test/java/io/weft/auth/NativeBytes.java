package io.weft.auth;

/** Native memory for a test, standing in for a lane's packet buffer. */
final class NativeBytes implements AutoCloseable {
    final long address;
    final int capacity;

    NativeBytes(final int capacity) {
        this.capacity = capacity;
        this.address = NativeMemory.allocate(capacity);
    }

    NativeBytes put(final int offset, final byte[] bytes) {
        check(offset, bytes.length);
        NativeMemory.putBytes(address + offset, bytes);
        return this;
    }

    byte[] get(final int offset, final int length) {
        check(offset, length);
        return NativeMemory.getBytes(address + offset, length);
    }

    void flipBit(final int bitIndex) {
        final long at = address + bitIndex / 8;
        NativeMemory.putByte(at, NativeMemory.getUnsignedByte(at) ^ 1 << (bitIndex % 8));
    }

    private void check(final int offset, final int length) {
        if (offset < 0 || length < 0 || offset + length > capacity) {
            throw new IndexOutOfBoundsException(offset + "+" + length + " > " + capacity);
        }
    }

    @Override
    public void close() {
        NativeMemory.free(address);
    }
}
