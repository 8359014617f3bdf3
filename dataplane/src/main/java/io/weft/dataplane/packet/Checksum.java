package io.weft.dataplane.packet;

import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;

/** The Internet checksum (RFC 1071) over bytes of a buffer, for building and verifying headers. */
final class Checksum {
    private Checksum() {
    }

    /** One's-complement sum of {@code length} bytes folded to 16 bits; 0xFFFF means a stored checksum verifies. */
    static int foldedSum(final UnsafeBuffer buffer, final int offset, final int length) {
        return TransportChecksum.fold(TransportChecksum.sum(buffer, offset, length));
    }

    /** Computes and stores the checksum of {@code length} bytes whose checksum field at {@code fieldOffset} is zero. */
    static void store(final UnsafeBuffer buffer, final int offset, final int length, final int fieldOffset) {
        buffer.putShort(fieldOffset, (short)0);
        buffer.putShort(fieldOffset, (short)~foldedSum(buffer, offset, length), ByteOrder.BIG_ENDIAN);
    }
}
