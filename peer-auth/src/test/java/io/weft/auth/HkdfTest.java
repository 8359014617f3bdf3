package io.weft.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HkdfTest {
    private static final byte[] IKM_22 = Hex.bytes("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");

    @Test
    void shouldMatchRfc5869TestCase1() {
        final byte[] salt = Hex.bytes("000102030405060708090a0b0c");
        final byte[] info = Hex.bytes("f0f1f2f3f4f5f6f7f8f9");
        final byte[] prk = Hkdf.extract(salt, IKM_22);
        assertThat(Hex.text(prk)).isEqualTo("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        assertThat(Hex.text(Hkdf.expand(prk, info, 42))).isEqualTo(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
        assertThat(Hkdf.derive(salt, IKM_22, info, 42)).isEqualTo(Hkdf.expand(prk, info, 42));
    }

    @Test
    void shouldMatchRfc5869TestCase2WhenInputsAreLong() {
        final byte[] ikm = range(0x00, 80);
        final byte[] salt = range(0x60, 80);
        final byte[] info = range(0xb0, 80);
        final byte[] prk = Hkdf.extract(salt, ikm);
        assertThat(Hex.text(prk)).isEqualTo("06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244");
        assertThat(Hex.text(Hkdf.expand(prk, info, 82))).isEqualTo(
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c"
                + "2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
    }

    @Test
    void shouldMatchRfc5869TestCase3WhenSaltAndInfoAreEmpty() {
        final byte[] prk = Hkdf.extract(new byte[0], IKM_22);
        assertThat(Hex.text(prk)).isEqualTo("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
        assertThat(Hex.text(Hkdf.expand(prk, new byte[0], 42))).isEqualTo(
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    }

    @Test
    void shouldRefuseLengthPastRfcLimit() {
        final byte[] prk = Hkdf.extract(new byte[0], IKM_22);
        assertThat(Hkdf.expand(prk, new byte[0], Hkdf.MAX_OUTPUT_LENGTH)).hasSize(255 * 32);
        assertThatThrownBy(() -> Hkdf.expand(prk, new byte[0], Hkdf.MAX_OUTPUT_LENGTH + 1))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefusePseudoRandomKeyShorterThanHash() {
        assertThatThrownBy(() -> Hkdf.expand(new byte[31], new byte[0], 16))
            .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] range(final int first, final int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte)(first + i);
        }
        return bytes;
    }
}
