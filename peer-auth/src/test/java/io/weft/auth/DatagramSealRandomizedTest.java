package io.weft.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link DatagramSeal} and {@link DatagramOpen} over many random datagrams, from fixed seeds so a failure repeats. */
class DatagramSealRandomizedTest {
    private static final byte[] KEY = Hex.bytes("000102030405060708090a0b0c0d0e0f");

    private final NativeBytes datagram = new NativeBytes(2048);
    private final DatagramSeal seal = new DatagramSeal(KEY);
    private final DatagramOpen open = new DatagramOpen(KEY);

    @AfterEach
    void close() {
        seal.close();
        open.close();
        datagram.close();
    }

    @Test
    void shouldBeWhatTheJdksAesGcmGivesForTheSameKeyIvAndAad() throws Exception {
        final Random random = new Random(20);
        for (int trial = 0; trial < 300; trial++) {
            final byte[] key = bytes(random, 16);
            final byte[] packet = bytes(random, trial < 20 ? trial : random.nextInt(1501));
            final boolean encrypt = random.nextBoolean();
            final int keyId = random.nextInt(256);
            final int lane = random.nextInt(256);
            final long counter = random.nextLong() & AuthHeader.MAX_COUNTER;
            final int type = encrypt ? AuthHeader.TYPE_ENCRYPTED : AuthHeader.TYPE_AUTHENTICATED;
            try (NativeBytes buffer = new NativeBytes(packet.length + 28); DatagramSeal keyed = new DatagramSeal(key)) {
                buffer.put(12, packet);
                final int length = keyed.seal(buffer.address, packet.length, type, keyId, lane, counter);

                final byte[] header = buffer.get(0, 12);
                final Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
                final byte[] iv = ByteBuffer.allocate(12).putInt(0).putLong((long)lane << 56 | counter).array();
                jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
                jdk.updateAAD(header);
                final byte[] expected;
                if (encrypt) {
                    expected = jdk.doFinal(packet);
                } else {
                    jdk.updateAAD(packet);
                    expected = concat(packet, jdk.doFinal());
                }
                assertThat(buffer.get(12, length - 12)).as("trial %d", trial).isEqualTo(expected);
            }
        }
    }

    @Test
    void shouldRefuseEverySingleBitFlip() {
        final Random random = new Random(21);
        for (int trial = 0; trial < 40; trial++) {
            final byte[] packet = bytes(random, trial < 4 ? trial : random.nextInt(81));
            final int type = trial % 2 == 0 ? AuthHeader.TYPE_ENCRYPTED : AuthHeader.TYPE_AUTHENTICATED;
            datagram.put(12, packet);
            final int length = seal.seal(datagram.address, packet.length, type, random.nextInt(256),
                random.nextInt(256), random.nextLong() & AuthHeader.MAX_COUNTER);
            final byte[] good = datagram.get(0, length);
            for (int bit = 0; bit < length * 8; bit++) {
                datagram.put(0, good);
                datagram.flipBit(bit);
                final int byteIndex = bit / 8;
                final int expected = byteIndex == 0 ? DatagramOpen.UNKNOWN_TYPE
                    : byteIndex == AuthHeader.RESERVED_OFFSET ? DatagramOpen.RESERVED_NOT_ZERO : DatagramOpen.BAD_TAG;
                assertThat(open.open(datagram.address, length)).as("trial %d, bit %d of %d", trial, bit, length * 8)
                    .isEqualTo(expected);
            }
            datagram.put(0, good);
            assertThat(open.open(datagram.address, length)).isEqualTo(packet.length);
            assertThat(datagram.get(12, packet.length)).isEqualTo(packet);
        }
    }

    private static byte[] bytes(final Random random, final int length) {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(final byte[] first, final byte[] second) {
        final byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
