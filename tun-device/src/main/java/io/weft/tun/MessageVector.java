package io.weft.tun;

/**
 * The array of struct mmsghdr that sendmmsg and recvmmsg take, each with its own sockaddr_in, and a pool of iovecs:
 * to begin with message i gathers iovec i, which points at slot i of caller-owned memory. Shared by
 * {@link SendBatch} (whose messages may gather several iovecs) and {@link ReceiveBatch}.
 */
final class MessageVector {
    /*
     * struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; }: 56 + 4, padded to 64 bytes; the msghdr
     * offsets are MessageHeader's. Per message, outside the vector: one sockaddr_in (16 bytes); iovecs (16 bytes
     * each) in a pool of their own.
     */
    static final int MMSGHDR_LENGTH = 64;
    static final int MSG_LEN_OFFSET = 56;
    static final int IOVEC_LENGTH = 16;

    final int capacity;
    final long dataAddress;
    final int slotLength;
    final NativeBuffer vector;
    final NativeBuffer iovecs;
    final NativeBuffer names;

    /** {@code capacity} messages and slots, one iovec each. */
    MessageVector(final int capacity, final long dataAddress, final int slotLength) {
        this(capacity, capacity, dataAddress, slotLength);
    }

    /** {@code capacity} messages and a pool of {@code iovecCapacity} iovecs, at least one per message. */
    MessageVector(final int capacity, final int iovecCapacity, final long dataAddress, final int slotLength) {
        this.capacity = capacity;
        this.dataAddress = dataAddress;
        this.slotLength = slotLength;
        vector = new NativeBuffer(capacity * MMSGHDR_LENGTH);
        iovecs = new NativeBuffer(iovecCapacity * IOVEC_LENGTH);
        names = new NativeBuffer(capacity * SocketConstants.SOCKADDR_IN_LENGTH);
        for (int i = 0; i < capacity; i++) {
            final int header = header(i);
            vector.buffer.putLong(header, names.address + (long)i * SocketConstants.SOCKADDR_IN_LENGTH);
            vector.buffer.putInt(header + MessageHeader.NAME_LENGTH_OFFSET, SocketConstants.SOCKADDR_IN_LENGTH);
            vector.buffer.putLong(header + MessageHeader.IOV_OFFSET, iovecs.address + (long)i * IOVEC_LENGTH);
            vector.buffer.putLong(header + MessageHeader.IOV_LENGTH_OFFSET, 1L);
            setIovec(i, 0, slotLength);
        }
    }

    /** Offset of slot {@code slot}'s mmsghdr in {@link #vector}. */
    static int header(final int slot) {
        return slot * MMSGHDR_LENGTH;
    }

    long slotAddress(final int slot) {
        return dataAddress + (long)slot * slotLength;
    }

    /** Points slot {@code slot}'s iovec at {@code length} bytes from {@code offset} of its slot. */
    void setIovec(final int slot, final int offset, final int length) {
        setIovecAddress(slot, slotAddress(slot) + offset, length);
    }

    /** Points iovec {@code index} of the pool at {@code length} bytes of native memory at {@code address}. */
    void setIovecAddress(final int index, final long address, final long length) {
        iovecs.buffer.putLong(index * IOVEC_LENGTH, address);
        iovecs.buffer.putLong(index * IOVEC_LENGTH + 8, length);
    }
}
