package io.weft.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A lane's sealer and opener: datagrams sealed from parts that lie apart open as contiguous ones, under whichever
 * peer's key each was sealed, as the keys change from datagram to datagram.
 */
class LaneSealTest {
    private static final byte[] KEY_A = Hex.bytes("000102030405060708090a0b0c0d0e0f");
    private static final byte[] KEY_B = Hex.bytes("f00102030405060708090a0b0c0d0e0f");

    /** Where the lane keeps the parts: header and tag at 0 and 12, the packet's headers at 100, its payload at 2000. */
    private final NativeBytes parts = new NativeBytes(4096);
    private final NativeBytes datagram = new NativeBytes(4096);

    @AfterEach
    void close() {
        parts.close();
        datagram.close();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldSealPartsThatOpenAsOneDatagramUnderEachPeersKeyInTurn(final boolean encrypt) {
        final Random random = new Random(20);
        try (LaneSeal seal = new LaneSeal(encrypt); LaneOpen open = new LaneOpen();
            DatagramOpen openA = new DatagramOpen(KEY_A); DatagramOpen openB = new DatagramOpen(KEY_B)) {
            for (int i = 0; i < 200; i++) {
                final byte[] key = random.nextBoolean() ? KEY_A : KEY_B;
                final byte[] packet = new byte[1 + random.nextInt(1400)];
                random.nextBytes(packet);
                final int headersLength = random.nextInt(packet.length + 1);
                final int payloadLength = packet.length - headersLength;
                parts.put(100, Arrays.copyOfRange(packet, 0, headersLength));
                parts.put(2000, Arrays.copyOfRange(packet, headersLength, packet.length));
                final long nonce = (long)(i % 3) << AuthHeader.LANE_SHIFT | i;

                assertThat(seal.seal(key, nonce, parts.address, parts.address + 100, headersLength,
                    parts.address + 2000, payloadLength, parts.address + 12)).isTrue();

                final int length = assemble(headersLength, payloadLength);
                assertThat(AuthHeader.type(datagram.address))
                    .isEqualTo(encrypt ? AuthHeader.TYPE_ENCRYPTED : AuthHeader.TYPE_AUTHENTICATED);
                assertThat(AuthHeader.lane(datagram.address)).isEqualTo(i % 3);
                assertThat(AuthHeader.counter(datagram.address)).isEqualTo(i);
                final int other = assemble(headersLength, payloadLength);
                assertThat(other).isEqualTo(length);
                // The lane's opener, switching keys as the seal did; the other key refuses the same bytes.
                assertThat((key == KEY_A ? openB : openA).open(datagram.address, length))
                    .isEqualTo(DatagramOpen.BAD_TAG);
                assemble(headersLength, payloadLength);
                assertThat(open.open(key, datagram.address, length)).isEqualTo(packet.length);
                assertThat(datagram.get(AuthHeader.LENGTH, packet.length)).isEqualTo(packet);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldRefuseADatagramWhosePartsChangedAfterSealing(final boolean encrypt) {
        try (LaneSeal seal = new LaneSeal(encrypt); LaneOpen open = new LaneOpen()) {
            parts.put(100, new byte[40]).put(2000, new byte[1000]);
            assertThat(seal.seal(KEY_A, 5, parts.address, parts.address + 100, 40, parts.address + 2000, 1000,
                parts.address + 12)).isTrue();
            parts.flipBit(8 * 2300);

            assertThat(open.open(KEY_A, datagram.address, assemble(40, 1000))).isEqualTo(DatagramOpen.BAD_TAG);
        }
    }

    /** More peers in turn than a lane keeps contexts keyed for: the contexts are keyed again, never mixed up. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldSealAndOpenForMorePeersThanContextsInAnyOrder(final boolean encrypt) {
        final Random random = new Random(27);
        final byte[][] keys = new byte[CipherCache.SIZE * 2 - 1][];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = new byte[16];
            random.nextBytes(keys[k]);
        }
        try (LaneSeal seal = new LaneSeal(encrypt); LaneOpen open = new LaneOpen()) {
            for (int i = 0; i < 300; i++) {
                final int k = random.nextInt(keys.length);
                final byte[] packet = new byte[1 + random.nextInt(200)];
                random.nextBytes(packet);
                parts.put(100, packet);
                assertThat(seal.seal(keys[k], i, parts.address, parts.address + 100, packet.length, 0, 0,
                    parts.address + 12)).isTrue();
                final int length = assemble(packet.length, 0);
                final byte[] sealed = datagram.get(0, length);

                assertThat(open.open(keys[(k + 1) % keys.length], datagram.address, length)).as("another peer's key")
                    .isEqualTo(DatagramOpen.BAD_TAG);
                datagram.put(0, sealed);
                assertThat(open.open(keys[k], datagram.address, length)).as("datagram %d, key %d", i, k)
                    .isEqualTo(packet.length);
                assertThat(datagram.get(AuthHeader.LENGTH, packet.length)).isEqualTo(packet);
            }
        }
    }

    @Test
    void shouldWriteTheIdsOfBothKeysInTheHeaderUnderTheTag() {
        try (LaneSeal seal = new LaneSeal(false); LaneOpen open = new LaneOpen()) {
            parts.put(100, new byte[40]);
            assertThat(seal.seal(KEY_A, 0x17, 0xe2, 9, parts.address, parts.address + 100, 40, 0, 0,
                parts.address + 12)).isTrue();

            assertThat(AuthHeader.keyId(parts.address)).isEqualTo(0x17);
            assertThat(AuthHeader.receiverKeyId(parts.address)).isEqualTo(0xe2);
            final int length = assemble(40, 0);
            assertThat(open.open(KEY_A, datagram.address, length)).isEqualTo(40);
            datagram.put(AuthHeader.RECEIVER_KEY_ID_OFFSET, new byte[] {0x17});
            assertThat(open.open(KEY_A, datagram.address, length)).as("the ids are authenticated")
                .isEqualTo(DatagramOpen.BAD_TAG);
        }
    }

    /** The datagram as the kernel gathers it from the iovecs: header, packet headers, payload, tag. */
    private int assemble(final int headersLength, final int payloadLength) {
        datagram.put(0, parts.get(0, AuthHeader.LENGTH));
        datagram.put(AuthHeader.LENGTH, parts.get(100, headersLength));
        datagram.put(AuthHeader.LENGTH + headersLength, parts.get(2000, payloadLength));
        datagram.put(AuthHeader.LENGTH + headersLength + payloadLength, parts.get(12, AuthHeader.TAG_LENGTH));
        return AuthHeader.OVERHEAD + headersLength + payloadLength;
    }
}
