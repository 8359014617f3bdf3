package io.weft.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class TrafficKeyTest {
    private final NodeKey a = NodeKey.generate();
    private final NodeKey b = NodeKey.generate();

    @Test
    void shouldBeTheSameOnBothNodesForOneDirection() {
        final byte[] atA = TrafficKey.derive(a.sharedSecret(b.publicKey()), a.publicKey(), b.publicKey(), 7, 9);
        final byte[] atB = TrafficKey.derive(b.sharedSecret(a.publicKey()), a.publicKey(), b.publicKey(), 7, 9);
        assertThat(atA).hasSize(TrafficKey.LENGTH).isEqualTo(atB);
    }

    @Test
    void shouldDifferByDirection() {
        final byte[] secret = a.sharedSecret(b.publicKey());
        assertThat(TrafficKey.derive(secret, a.publicKey(), b.publicKey(), 7, 9))
            .isNotEqualTo(TrafficKey.derive(secret, b.publicKey(), a.publicKey(), 7, 9));
    }

    @Test
    void shouldDifferByEpoch() {
        final byte[] secret = a.sharedSecret(b.publicKey());
        assertThat(TrafficKey.derive(secret, a.publicKey(), b.publicKey(), 7, 9))
            .isNotEqualTo(TrafficKey.derive(secret, a.publicKey(), b.publicKey(), 8, 9))
            .as("the receiver's restart too")
            .isNotEqualTo(TrafficKey.derive(secret, a.publicKey(), b.publicKey(), 7, 10));
    }

    @Test
    void shouldBeHkdfWithWeftSaltAndKeysThenBigEndianEpochsAsInfo() {
        final byte[] secret = new byte[32];
        final byte[] sender = new byte[32];
        final byte[] receiver = new byte[32];
        for (int i = 0; i < 32; i++) {
            secret[i] = (byte)i;
            sender[i] = (byte)(0x40 + i);
            receiver[i] = (byte)(0x80 + i);
        }
        final byte[] info = new byte[80];
        System.arraycopy(sender, 0, info, 0, 32);
        System.arraycopy(receiver, 0, info, 32, 32);
        System.arraycopy(Hex.bytes("0102030405060708"), 0, info, 64, 8);
        System.arraycopy(Hex.bytes("1112131415161718"), 0, info, 72, 8);
        assertThat(TrafficKey.derive(secret, sender, receiver, 0x0102030405060708L, 0x1112131415161718L))
            .isEqualTo(Hkdf.derive("weft-udp-v1".getBytes(StandardCharsets.US_ASCII), secret, info, 16));
    }

    @Test
    void shouldRefuseKeysThatAreNot32Bytes() {
        assertThatThrownBy(() -> TrafficKey.derive(new byte[31], a.publicKey(), b.publicKey(), 0, 9))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrafficKey.derive(new byte[32], new byte[33], b.publicKey(), 0, 9))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
