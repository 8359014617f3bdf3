package io.weft.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing (Jazzer) of {@link LaneOpen}, {@link DatagramOpen}'s checks and the {@link AuthHeader}
 * readers, over arbitrary datagrams. A fuzzer cannot forge a GCM tag, so the only datagrams that may open are those
 * this class sealed itself; they are in the committed corpus ({@code LaneOpenFuzzTestInputs/}), from which the fuzzer
 * mutates. An input is a key choice byte, then the datagram.
 */
class LaneOpenFuzzTest {
    static final byte[] KEY = Hex.bytes("8f1c2a3b4c5d6e7f8091a2b3c4d5e6f7");
    private static final byte[] KEY_COPY = KEY.clone();
    private static final byte[] OTHER_KEY = Hex.bytes("00112233445566778899aabbccddeeff");
    /** Bytes on either side of the datagram that nothing may read as its own or write. */
    private static final int GUARD = 64;
    private static final byte GUARD_BYTE = (byte)0xA5;
    private static final int MAX_DATAGRAM = 2048;

    /** Every datagram sealed with {@link #KEY}, by its bytes, to the packet it carries. */
    private static final Map<ByteBuffer, byte[]> SEALED = sealAll();
    private static final LaneOpen OPEN = new LaneOpen();
    private static final NativeBytes BUFFER = new NativeBytes(GUARD + MAX_DATAGRAM + GUARD);

    @AfterAll
    static void close() {
        OPEN.close();
        BUFFER.close();
    }

    /**
     * Opens the datagram in place between guard bytes: they stay as they were, a datagram opens only if it is one
     * this class sealed and then gives the packet sealed in it, and a refused datagram is left as it came (but for
     * an encrypted one's packet bytes, zeroed once its tag failed).
     */
    @FuzzTest(maxDuration = "15s")
    void openOnlyWhatWasSealedAndStayInsideTheDatagram(final byte[] input) {
        if (input.length == 0 || input.length - 1 > MAX_DATAGRAM) {
            return;
        }
        final byte[] key = key(input[0]);
        final byte[] datagram = Arrays.copyOfRange(input, 1, input.length);
        final int length = datagram.length;
        final byte[] guard = new byte[GUARD];
        Arrays.fill(guard, GUARD_BYTE);
        BUFFER.put(0, guard).put(GUARD, datagram).put(GUARD + length, guard);

        final int result = OPEN.open(key, BUFFER.address + GUARD, length);

        assertThat(BUFFER.get(0, GUARD)).as("the bytes before the datagram").isEqualTo(guard);
        assertThat(BUFFER.get(GUARD + length, GUARD)).as("the bytes after the datagram").isEqualTo(guard);
        final byte[] sealedPacket = key == OTHER_KEY ? null : SEALED.get(ByteBuffer.wrap(datagram));
        if (result >= 0) {
            assertThat(sealedPacket).as("only a datagram sealed with the key opens").isNotNull();
            assertThat(result).isEqualTo(length - AuthHeader.OVERHEAD);
            assertThat(BUFFER.get(GUARD + AuthHeader.LENGTH, result)).isEqualTo(sealedPacket);
            return;
        }
        assertThat(sealedPacket).as("a datagram sealed with the key opens").isNull();
        assertThat(result).isEqualTo(expectedRefusal(datagram));
        final byte[] after = BUFFER.get(GUARD, length);
        if (result == DatagramOpen.BAD_TAG && (datagram[0] & 0xFF) == AuthHeader.TYPE_ENCRYPTED) {
            Arrays.fill(datagram, AuthHeader.LENGTH, length - AuthHeader.TAG_LENGTH, (byte)0);
        }
        assertThat(after).as("a refused datagram is left as it came").isEqualTo(datagram);
    }

    /** The fuzzer only reaches the opening path from seeds: each sealed datagram must be in the committed corpus. */
    @Test
    void shouldHaveEverySealedDatagramInTheCorpus() throws IOException {
        final Path corpus = Paths.get("src/test/resources/io/weft/auth/LaneOpenFuzzTestInputs/"
            + "openOnlyWhatWasSealedAndStayInsideTheDatagram");
        for (final Map.Entry<ByteBuffer, byte[]> sealed : SEALED.entrySet()) {
            final byte[] datagram = new byte[sealed.getKey().remaining()];
            sealed.getKey().duplicate().get(datagram);
            final Path seed = corpus.resolve(seedName(datagram));
            assertThat(seed).exists();
            assertThat(Files.readAllBytes(seed)).isEqualTo(seed(datagram));
        }
    }

    /** What {@link DatagramOpen#open} must answer for a datagram that was not sealed with the key. */
    private static int expectedRefusal(final byte[] datagram) {
        if (datagram.length < AuthHeader.OVERHEAD) {
            return DatagramOpen.TOO_SHORT;
        }
        final int type = datagram[0] & 0xFF;
        if (type != AuthHeader.TYPE_AUTHENTICATED && type != AuthHeader.TYPE_ENCRYPTED) {
            return DatagramOpen.UNKNOWN_TYPE;
        }
        if (datagram[AuthHeader.RESERVED_OFFSET] != 0) {
            return DatagramOpen.RESERVED_NOT_ZERO;
        }
        return DatagramOpen.BAD_TAG;
    }

    /** The key by the input's first byte; an equal key in another array makes the opener rekey. */
    private static byte[] key(final byte choice) {
        switch (choice & 3) {
            case 1:
                return KEY_COPY;
            case 2:
                return OTHER_KEY;
            default:
                return KEY;
        }
    }

    static String seedName(final byte[] datagram) {
        return String.format("sealed-%02x-%d-%016x", datagram[0] & 0xFF, datagram.length - AuthHeader.OVERHEAD,
            ByteBuffer.wrap(datagram, AuthHeader.NONCE_OFFSET, 8).getLong());
    }

    /** A corpus input: the key choice of {@link #KEY}, then the datagram. */
    static byte[] seed(final byte[] datagram) {
        final byte[] seed = new byte[datagram.length + 1];
        System.arraycopy(datagram, 0, seed, 1, datagram.length);
        return seed;
    }

    /** Packets of a few lengths, sealed both ways under several lanes and counters; GCM makes them deterministic. */
    private static Map<ByteBuffer, byte[]> sealAll() {
        final Map<ByteBuffer, byte[]> sealed = new HashMap<>();
        try (DatagramSeal seal = new DatagramSeal(KEY); NativeBytes buffer = new NativeBytes(MAX_DATAGRAM)) {
            int counter = 0;
            for (final int packetLength : List.of(0, 1, 20, 60)) {
                for (final int type : List.of(AuthHeader.TYPE_AUTHENTICATED, AuthHeader.TYPE_ENCRYPTED)) {
                    final byte[] packet = new byte[packetLength];
                    for (int i = 0; i < packetLength; i++) {
                        packet[i] = (byte)(0x45 + i * 7);
                    }
                    buffer.put(AuthHeader.LENGTH, packet);
                    final int length = seal.seal(buffer.address, packetLength, type, counter & 1, counter % 3,
                        counter == 7 ? AuthHeader.MAX_COUNTER : counter);
                    sealed.put(ByteBuffer.wrap(buffer.get(0, length)), packet);
                    counter++;
                }
            }
        }
        return sealed;
    }

    /** Writes the sealed datagrams as corpus files into {@code args[0]}: how the committed seeds were made. */
    public static void main(final String[] args) throws IOException {
        final Path corpus = Files.createDirectories(Paths.get(args[0]));
        for (final ByteBuffer sealed : SEALED.keySet()) {
            final byte[] datagram = new byte[sealed.remaining()];
            sealed.duplicate().get(datagram);
            Files.write(corpus.resolve(seedName(datagram)), seed(datagram));
        }
    }
}
