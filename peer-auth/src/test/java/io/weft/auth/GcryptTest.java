package io.weft.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;

class GcryptTest {
    @Test
    void shouldLoadLibgcryptByItsRuntimeName() {
        assertThat(Gcrypt.unavailabilityCause()).isNull();
        assertThat(Gcrypt.isAvailable()).isTrue();
        assertThat(Gcrypt.LIBRARY).isEqualTo("libgcrypt.so.20");
        assertThat(Gcrypt.version()).matches("1\\.(8|9|\\d\\d+)\\..*");
    }

    @Test
    void shouldSealGcmTestCase2WithTheLoadedLibrary() {
        assertThat(Gcrypt.knownAnswerRefusal(Gcrypt.library())).isNull();
    }

    /**
     * libgcrypt in FIPS mode refuses to encrypt under an IV it did not make; this machine is not in FIPS mode, so the
     * refusal is played, and another call's too.
     */
    @Test
    void shouldNameTheCallThatRefused() {
        assertThat(Gcrypt.knownAnswerRefusal(libraryWith("gcry_cipher_setiv", 1))).contains("gcry_cipher_setiv");
        assertThat(Gcrypt.knownAnswerRefusal(libraryWith("gcry_cipher_encrypt", 1))).contains("gcry_cipher_encrypt");
    }

    @Test
    void shouldNoticeAWrongAnswer() {
        // Encrypting nothing leaves the zero plaintext where the ciphertext should be.
        assertThat(Gcrypt.knownAnswerRefusal(libraryWith("gcry_cipher_encrypt", 0))).contains("came out wrong");
    }

    /** The loaded library, but {@code method} returns {@code result} without calling it. */
    private static LibGcrypt libraryWith(final String method, final int result) {
        final LibGcrypt real = Gcrypt.library();
        return (LibGcrypt)Proxy.newProxyInstance(LibGcrypt.class.getClassLoader(), new Class<?>[] {LibGcrypt.class},
            (proxy, called, arguments) -> {
                if (called.getName().equals(method)) {
                    return result;
                }
                try {
                    return called.invoke(real, arguments);
                } catch (final InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }
}
