package io.weft.testbed;

/**
 * The deterministic byte stream of a seed: SplitMix64 outputs, little-endian. Both ends of a transfer generate it, so
 * the sink checks every byte without the data ever being stored. Public for the soak's long-lived connections.
 */
public final class PatternStream {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;
    private long word;
    private int wordBytesLeft;

    public PatternStream(long seed) {
        this.state = seed;
    }

    /** Writes the next {@code length} bytes of the stream into {@code dst}. */
    public void fill(byte[] dst, int offset, int length) {
        int index = offset;
        int end = offset + length;
        while (index < end && wordBytesLeft > 0) {
            dst[index++] = (byte) word;
            word >>>= 8;
            wordBytesLeft--;
        }
        while (end - index >= Long.BYTES) {
            long value = next();
            for (int i = 0; i < Long.BYTES; i++) {
                dst[index++] = (byte) value;
                value >>>= 8;
            }
        }
        if (index < end) {
            word = next();
            wordBytesLeft = Long.BYTES;
            while (index < end) {
                dst[index++] = (byte) word;
                word >>>= 8;
                wordBytesLeft--;
            }
        }
    }

    private long next() {
        long z = state += GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
