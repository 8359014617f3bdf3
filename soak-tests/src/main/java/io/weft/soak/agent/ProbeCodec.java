package io.weft.soak.agent;

import java.nio.ByteBuffer;

/**
 * A probe datagram, {@link #LENGTH} bytes, big-endian:
 * <pre>
 *  0       4       8              16             24             32         36             64
 * +-------+-------+--------------+--------------+--------------+----------+--------------+
 * | magic | src   | sequence     | send time us | check        | instance | filler(seq)  |
 * +-------+-------+--------------+--------------+--------------+----------+--------------+
 * </pre>
 * The check and the filler make a corrupted probe recognisable instead of being counted as a strange sequence. The
 * instance, drawn by each agent at start, tells a new pod that got a departed pod's address from the departed one.
 */
final class ProbeCodec {
    static final int LENGTH = 64;
    static final int MAGIC = 0x57465031; // "WFP1"
    private static final int HEADER = 36;

    private ProbeCodec() {
    }

    static void encode(ByteBuffer buffer, int source, int instance, long sequence, long sendMicros) {
        buffer.clear();
        buffer.putInt(MAGIC).putInt(source).putLong(sequence).putLong(sendMicros)
            .putLong(check(source, sequence, sendMicros) ^ instance).putInt(instance);
        for (int i = HEADER; i < LENGTH; i++) {
            buffer.put(filler(sequence, i));
        }
        buffer.flip();
    }

    /** True when {@code buffer} (position 0, limit = length) holds an intact probe. */
    static boolean isIntact(ByteBuffer buffer) {
        if (buffer.remaining() != LENGTH || buffer.getInt(0) != MAGIC) {
            return false;
        }
        long sequence = buffer.getLong(8);
        if (buffer.getLong(24) != (check(buffer.getInt(4), sequence, buffer.getLong(16)) ^ instance(buffer))) {
            return false;
        }
        for (int i = HEADER; i < LENGTH; i++) {
            if (buffer.get(i) != filler(sequence, i)) {
                return false;
            }
        }
        return true;
    }

    static int source(ByteBuffer buffer) {
        return buffer.getInt(4);
    }

    static int instance(ByteBuffer buffer) {
        return buffer.getInt(32);
    }

    static long sequence(ByteBuffer buffer) {
        return buffer.getLong(8);
    }

    static long sendMicros(ByteBuffer buffer) {
        return buffer.getLong(16);
    }

    private static long check(int source, long sequence, long sendMicros) {
        long h = 0x9E3779B97F4A7C15L ^ source;
        h = (h ^ sequence) * 0xBF58476D1CE4E5B9L;
        h = (h ^ sendMicros) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    private static byte filler(long sequence, int index) {
        return (byte) (sequence * 31 + index);
    }
}
