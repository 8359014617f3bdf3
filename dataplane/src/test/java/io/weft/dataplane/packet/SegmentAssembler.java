package io.weft.dataplane.packet;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Lays the segments {@link TsoSplitter#splitHeaders} describes back to back, each its headers then its payload, as
 * the gathering send puts them on the wire: the form the tests check. Allocates nothing per call.
 */
final class SegmentAssembler {
    private final TsoSplitter splitter;
    private final UnsafeBuffer headers = new UnsafeBuffer(new byte[TsoSplitter.HEADERS_CAPACITY]);
    private int outputLength;

    SegmentAssembler(final TsoSplitter splitter) {
        this.splitter = splitter;
    }

    /**
     * Splits the super-packet in {@code in[offset, offset + length)} into {@code out[outOffset, outOffset +
     * outLength)}; {@code in} and {@code out} must not overlap.
     *
     * @return the number of segments, or a negative TsoSplitter.ERROR_* code (ERROR_BAD_LENGTH for a range outside
     *     its buffer, ERROR_OUTPUT_TOO_SMALL when the segments do not fit).
     */
    int split(final UnsafeBuffer in, final int offset, final int length, final UnsafeBuffer out, final int outOffset,
        final int outLength) {
        return split(in, offset, length, out, outOffset, outLength, false);
    }

    /** As {@link #split(UnsafeBuffer, int, int, UnsafeBuffer, int, int)}, for a peer that takes partial checksums. */
    int split(final UnsafeBuffer in, final int offset, final int length, final UnsafeBuffer out, final int outOffset,
        final int outLength, final boolean partialChecksums) {
        outputLength = 0;
        if (outOffset < 0 || outLength < 0 || outOffset > out.capacity() - outLength) {
            return TsoSplitter.ERROR_BAD_LENGTH;
        }
        final int segments = splitter.splitHeaders(in, offset, length, headers, 0, TsoSplitter.HEADERS_CAPACITY,
            partialChecksums);
        if (segments < 0) {
            return segments;
        }
        final int headersLength = splitter.headersLength();
        int total = 0;
        for (int i = 0; i < segments; i++) {
            total += headersLength + splitter.payloadLength(i);
        }
        if (total > outLength) {
            return TsoSplitter.ERROR_OUTPUT_TOO_SMALL;
        }
        int segment = outOffset;
        for (int i = 0; i < segments; i++) {
            out.putBytes(segment, headers, i * headersLength, headersLength);
            out.putBytes(segment + headersLength, in, splitter.payloadOffset(i), splitter.payloadLength(i));
            segment += headersLength + splitter.payloadLength(i);
        }
        outputLength = total;
        return segments;
    }

    /** Bytes the last successful split wrote: all segments, back to back from {@code outOffset}. */
    int outputLength() {
        return outputLength;
    }
}
