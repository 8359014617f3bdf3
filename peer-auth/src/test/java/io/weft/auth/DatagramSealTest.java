package io.weft.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DatagramSealTest {
    private static final byte[] KEY = Hex.bytes("000102030405060708090a0b0c0d0e0f");
    private static final byte[] OTHER_KEY = Hex.bytes("f00102030405060708090a0b0c0d0e0f");
    private static final int TAG = AuthHeader.TAG_LENGTH;

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
    void shouldRoundTripInClearWhenAuthenticatedOnly() {
        final byte[] packet = packet(60);
        final int length = sealed(packet, AuthHeader.TYPE_AUTHENTICATED, 7, 3, 123_456_789L);
        assertThat(length).isEqualTo(60 + 28);
        assertThat(datagram.get(12, 60)).isEqualTo(packet);
        assertThat(AuthHeader.isAuthenticated(NativeMemory.getUnsignedByte(datagram.address))).isTrue();
        assertThat(AuthHeader.type(datagram.address)).isEqualTo(0x51);
        assertThat(AuthHeader.keyId(datagram.address)).isEqualTo(7);
        assertThat(AuthHeader.lane(datagram.address)).isEqualTo(3);
        assertThat(AuthHeader.counter(datagram.address)).isEqualTo(123_456_789L);
        assertThat(datagram.get(0, 12)).isEqualTo(Hex.bytes("51070000 03000000075bcd15"));

        assertThat(open.open(datagram.address, length)).isEqualTo(60);
        assertThat(datagram.get(12, 60)).isEqualTo(packet);
    }

    @Test
    void shouldRoundTripEncryptedInPlaceWhenEncrypted() {
        final byte[] packet = packet(1400);
        final int length = sealed(packet, AuthHeader.TYPE_ENCRYPTED, 255, 255, AuthHeader.MAX_COUNTER);
        assertThat(length).isEqualTo(1428);
        assertThat(AuthHeader.lane(datagram.address)).isEqualTo(255);
        assertThat(AuthHeader.counter(datagram.address)).isEqualTo(AuthHeader.MAX_COUNTER);
        assertThat(datagram.get(12, 1400)).isNotEqualTo(packet);

        assertThat(open.open(datagram.address, length)).isEqualTo(1400);
        assertThat(datagram.get(12, 1400)).isEqualTo(packet);
    }

    @Test
    void shouldMatchGcmSpecTestCases1And2WhoseIvIsZero() {
        // McGrew and Viega, "The Galois/Counter Mode of Operation", appendix B: K = 0, IV = 0 (the nonce 0 here).
        try (NativeBytes memory = new NativeBytes(64); GcmCipher cipher = new GcmCipher(new byte[16], true)) {
            final long nonce = memory.address;
            final long data = memory.address + 8;
            final long tag = memory.address + 32;
            assertThat(cipher.encrypt(nonce, data, 0, data, 0, tag)).isTrue();
            assertThat(Hex.text(memory.get(32, TAG))).isEqualTo("58e2fccefa7e3061367f1d57a4e7455a");

            memory.put(8, new byte[16]);
            assertThat(cipher.encrypt(nonce, data, 0, data, 16, tag)).isTrue();
            assertThat(Hex.text(memory.get(8, 16))).isEqualTo("0388dace60b6a392f328c2b971b2fe78");
            assertThat(Hex.text(memory.get(32, TAG))).isEqualTo("ab6e47d42cec13bdf53a67b21257bddf");
        }
    }

    @Test
    void shouldLeaveNoPlaintextWhenTagIsBad() {
        final byte[] packet = packet(200);
        final int length = sealed(packet, AuthHeader.TYPE_ENCRYPTED, 1, 0, 9);
        datagram.flipBit((length - 1) * 8);
        assertThat(open.open(datagram.address, length)).isEqualTo(DatagramOpen.BAD_TAG);
        assertThat(datagram.get(12, 200)).isEqualTo(new byte[200]);
    }

    @Test
    void shouldRefuseDatagramSealedWithAnotherKey() {
        try (DatagramOpen other = new DatagramOpen(OTHER_KEY)) {
            for (final int type : new int[] {AuthHeader.TYPE_AUTHENTICATED, AuthHeader.TYPE_ENCRYPTED}) {
                final int length = sealed(packet(100), type, 1, 0, 1);
                assertThat(other.open(datagram.address, length)).isEqualTo(DatagramOpen.BAD_TAG);
            }
        }
    }

    @Test
    void shouldRefuseTruncatedDatagram() {
        final int length = sealed(packet(100), AuthHeader.TYPE_ENCRYPTED, 1, 0, 1);
        assertThat(open.open(datagram.address, length - 1)).isEqualTo(DatagramOpen.BAD_TAG);
        assertThat(open.open(datagram.address, 27)).isEqualTo(DatagramOpen.TOO_SHORT);
        assertThat(open.open(datagram.address, 0)).isEqualTo(DatagramOpen.TOO_SHORT);
    }

    @Test
    void shouldOpenEmptyPacketAndRefuseItsForgery() {
        final int length = sealed(new byte[0], AuthHeader.TYPE_ENCRYPTED, 1, 0, 1);
        assertThat(length).isEqualTo(28);
        assertThat(open.open(datagram.address, length)).isZero();
        datagram.flipBit(12 * 8);
        assertThat(open.open(datagram.address, length)).isEqualTo(DatagramOpen.BAD_TAG);
    }

    @Test
    void shouldRefuseIpv4AndUnknownTypes() {
        final int length = sealed(packet(40), AuthHeader.TYPE_AUTHENTICATED, 1, 0, 1);
        for (final int type : new int[] {0x45, 0x50, 0x53, 0x5f, 0x00}) {
            NativeMemory.putByte(datagram.address, type);
            assertThat(open.open(datagram.address, length)).isEqualTo(DatagramOpen.UNKNOWN_TYPE);
        }
        assertThat(AuthHeader.isAuthenticated(0x45)).isFalse();
        assertThat(AuthHeader.isAuthenticated(0x53)).isTrue();
    }

    @Test
    void shouldRefuseToSealFieldsThatDoNotFitTheirBits() {
        assertThatThrownBy(() -> seal.seal(datagram.address, 10, 0x51, 0, 0, AuthHeader.MAX_COUNTER + 1))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> seal.seal(datagram.address, 10, 0x51, 0, 256, 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> seal.seal(datagram.address, 10, 0x51, 256, 0, 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> seal.seal(datagram.address, 10, 0x45, 0, 0, 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> seal.seal(datagram.address, -1, 0x51, 0, 0, 0))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseUseAfterCloseAndCloseTwice() {
        final DatagramSeal closed = new DatagramSeal(KEY);
        closed.close();
        closed.close();
        assertThatThrownBy(() -> closed.seal(datagram.address, 10, 0x51, 0, 0, 0))
            .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRefuseKeyThatIsNot16Bytes() {
        assertThatThrownBy(() -> new DatagramSeal(new byte[32])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DatagramOpen(new byte[15])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldNameEveryReason() {
        assertThat(Arrays.asList(DatagramOpen.reason(DatagramOpen.TOO_SHORT),
            DatagramOpen.reason(DatagramOpen.UNKNOWN_TYPE), DatagramOpen.reason(DatagramOpen.RESERVED_NOT_ZERO),
            DatagramOpen.reason(DatagramOpen.BAD_TAG)))
            .doesNotHaveDuplicates().noneMatch(reason -> reason.startsWith("unknown reason"));
    }

    private int sealed(final byte[] packet, final int type, final int keyId, final int lane, final long counter) {
        datagram.put(12, packet);
        final int length = seal.seal(datagram.address, packet.length, type, keyId, lane, counter);
        assertThat(length).isEqualTo(packet.length + AuthHeader.OVERHEAD);
        return length;
    }

    private static byte[] packet(final int length) {
        final byte[] packet = new byte[length];
        for (int i = 0; i < length; i++) {
            packet[i] = (byte)(i * 31 + 7);
        }
        packet[0] = 0x45;
        return packet;
    }
}
