package io.weft.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpenSslTest {
    @Test
    void shouldLoadLibcrypto3ByItsRuntimeName() {
        assertThat(OpenSsl.unavailabilityCause()).isNull();
        assertThat(OpenSsl.isAvailable()).isTrue();
        assertThat(OpenSsl.libcrypto().OpenSSL_version_num() >>> 28).isEqualTo(3);
        assertThat(OpenSsl.LIBRARY).isEqualTo("libcrypto.so.3");
    }
}
