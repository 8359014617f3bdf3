package io.weft.auth;

/**
 * A lane's few libgcrypt cipher handles of one direction, each keyed for one traffic key: a lane whose consecutive
 * datagrams go to (or come from) different peers finds each peer's context keyed already, where one context would run
 * a key schedule per datagram. Keys are matched by identity (a peer's key array is made once per key and epoch); on a
 * miss the context keyed longest ago is given the new key. Not thread-safe: one per lane and direction.
 */
final class CipherCache implements AutoCloseable {
    /** Peers a lane may alternate between with no key schedule; each handle is a kilobyte or two of native memory. */
    static final int SIZE = 4;

    private final GcmCipher[] ciphers = new GcmCipher[SIZE];
    private final byte[][] keys = new byte[SIZE][];
    private int oldest;

    CipherCache(final boolean encrypt) {
        try {
            for (int i = 0; i < SIZE; i++) {
                ciphers[i] = new GcmCipher(encrypt);
            }
        } catch (final RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The handle keyed with {@code trafficKey}, keying one now if none is; null if libgcrypt refused the key. */
    GcmCipher keyedFor(final byte[] trafficKey) {
        for (int i = 0; i < SIZE; i++) {
            if (keys[i] == trafficKey) {
                return ciphers[i];
            }
        }
        final int slot = oldest;
        oldest = (oldest + 1) % SIZE;
        if (!ciphers[slot].rekey(trafficKey)) {
            keys[slot] = null;
            return null;
        }
        keys[slot] = trafficKey;
        return ciphers[slot];
    }

    @Override
    public void close() {
        for (int i = 0; i < SIZE; i++) {
            if (ciphers[i] != null) {
                ciphers[i].close();
            }
            keys[i] = null;
        }
    }
}
