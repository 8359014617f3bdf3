package io.weft.auth;

import java.util.HexFormat;

/** Test vectors are written in hex, as the RFCs print them. */
final class Hex {
    private Hex() {
    }

    static byte[] bytes(final String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    static String text(final byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
