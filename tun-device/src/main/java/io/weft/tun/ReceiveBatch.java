package io.weft.tun;

/**
 * A vector of receive slots for recvmmsg: one system call fills up to {@link #capacity()} slots, each with its
 * datagram (or, with UDP GRO, a run of same-size datagrams of one sender), the sender's address and the GRO segment
 * size. Allocated once per receiving thread; the slots point into memory the caller owns.
 */
public final class ReceiveBatch {
    /* Per slot, besides the MessageVector's iovec and sockaddr_in: one cmsg area for UDP_GRO's segment size. */
    private static final int CONTROL_LENGTH = MessageHeader.CONTROL_CAPACITY;

    private final MessageVector messages;
    private final NativeBuffer controls;
    private int received;

    /** {@code capacity} slots of {@code slotLength} bytes each, back to back from {@code dataAddress}. */
    public ReceiveBatch(final int capacity, final long dataAddress, final int slotLength) {
        messages = new MessageVector(capacity, dataAddress, slotLength);
        controls = new NativeBuffer(capacity * CONTROL_LENGTH);
        for (int i = 0; i < capacity; i++) {
            reset(i);
        }
    }

    int capacity() {
        return messages.capacity;
    }

    public long slotAddress(final int slot) {
        return messages.slotAddress(slot);
    }

    public int slotLength() {
        return messages.slotLength;
    }

    /** Bytes in the slot (with GRO, several datagrams back to back). */
    public int length(final int slot) {
        return messages.vector.buffer.getInt(MessageVector.header(slot) + MessageVector.MSG_LEN_OFFSET);
    }

    public int senderAddress(final int slot) {
        return Integer.reverseBytes(messages.names.buffer.getInt(slot * SocketConstants.SOCKADDR_IN_LENGTH + 4));
    }

    public boolean wasTruncated(final int slot) {
        final int flags = messages.vector.buffer.getInt(MessageVector.header(slot) + MessageHeader.FLAGS_OFFSET);
        return (flags & UdpSocket.MSG_TRUNC) != 0;
    }

    /** With UDP GRO, the size of each datagram in the slot; 0 when the slot holds a single datagram. */
    public int segmentLength(final int slot) {
        final int control = slot * CONTROL_LENGTH;
        final long controlLength =
            messages.vector.buffer.getLong(MessageVector.header(slot) + MessageHeader.CONTROL_LENGTH_OFFSET);
        if (controlLength < MessageHeader.CMSG_DATA_OFFSET + 4 ||
            controls.buffer.getInt(control + MessageHeader.CMSG_LEVEL_OFFSET) != UdpSocket.SOL_UDP ||
            controls.buffer.getInt(control + MessageHeader.CMSG_TYPE_OFFSET) != UdpSocket.UDP_GRO) {
            return 0;
        }
        return controls.buffer.getInt(control + MessageHeader.CMSG_DATA_OFFSET);
    }

    /** recvmmsg into every slot: the number of slots filled, 0 when none was queued, or -errno. */
    int receive(final int fd) {
        // The kernel overwrites the name and control lengths, flags and msg_len of the slots it filled.
        for (int i = 0; i < received; i++) {
            reset(i);
        }
        final int result = Native.LIBC.recvmmsg(fd, messages.vector.address, messages.capacity, 0, 0L);
        if (result < 0) {
            received = 0;
            return TunDevice.negativeErrnoOrZero();
        }
        received = result;
        return result;
    }

    private void reset(final int slot) {
        final int header = MessageVector.header(slot);
        final NativeBuffer vector = messages.vector;
        vector.buffer.putInt(header + MessageHeader.NAME_LENGTH_OFFSET, SocketConstants.SOCKADDR_IN_LENGTH);
        vector.buffer.putLong(header + MessageHeader.CONTROL_OFFSET, controls.address + (long)slot * CONTROL_LENGTH);
        vector.buffer.putLong(header + MessageHeader.CONTROL_LENGTH_OFFSET, CONTROL_LENGTH);
        vector.buffer.putInt(header + MessageHeader.FLAGS_OFFSET, 0);
        vector.buffer.putInt(header + MessageVector.MSG_LEN_OFFSET, 0);
    }
}
