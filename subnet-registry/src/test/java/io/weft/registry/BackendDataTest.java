package io.weft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackendDataTest {
    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'B');
    private static final String OTHER_KEY = KEY.replace('B', 'C');
    private static final NetworkConfig CONFIG =
        NetworkConfig.parse(NetworkConfigTest.json("{'Network':'10.244.0.0/16'}"));

    @Test
    void shouldCarryTheKeyAndEpochThroughALeaseValueAndAnAnnotation() {
        final BackendData data = new BackendData(true, KEY, 1_765_000_000_123L);

        final String value = LeaseCodec.encodeValue(Ipv4Addresses.parse("192.168.100.1"), data);
        final Lease lease = LeaseCodec.decode("10.244.1.0-24", value, CONFIG);

        assertThat(value).contains("\"WeftKey\":\"" + KEY + "\"", "\"WeftEpoch\":1765000000123",
            "\"WeftPartialChecksums\":true");
        assertThat(lease).isEqualTo(new Lease(Ipv4Prefix.parse("10.244.1.0/24"),
            Ipv4Addresses.parse("192.168.100.1"), data));
        assertThat(lease.backendData().keyBytes()).hasSize(32);
        assertThat(lease).hasToString("10.244.1.0/24 -> 192.168.100.1 (partial checksums) (authenticates)");
        assertThat(BackendData.parse(data.toJson())).isEqualTo(data);
    }

    @Test
    void shouldCarryTheOtherKeyOfARotationAndIgnoreAMalformedOne() {
        final BackendData data = new BackendData(false, KEY, 9, OTHER_KEY);

        assertThat(data.toJson()).contains("\"WeftOtherKey\":\"" + OTHER_KEY + "\"");
        assertThat(BackendData.parse(data.toJson())).isEqualTo(data);
        assertThat(BackendData.parse(data.toJson()).otherKeyBytes()).hasSize(32);
        assertThat(BackendData.parse("{\"WeftKey\":\"" + KEY + "\",\"WeftEpoch\":9,\"WeftOtherKey\":\"AAAA\"}"))
            .isEqualTo(new BackendData(false, KEY, 9));
        assertThat(BackendData.parse("{\"WeftOtherKey\":\"" + OTHER_KEY + "\"}").hasOtherKey())
            .as("no other key without a key").isFalse();
        assertThatThrownBy(() -> new BackendData(false, KEY, 9, KEY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BackendData(false, null, 0, OTHER_KEY))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldWriteFlannelsNullWhenThereIsNothingToSay() {
        assertThat(BackendData.NONE.toJson()).isEqualTo("null");
        assertThat(BackendData.parse("null")).isEqualTo(BackendData.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"WeftKey\":\"AAAA\",\"WeftEpoch\":5}",
        "{\"WeftKey\":\"not base64!\",\"WeftEpoch\":5}",
        "{\"WeftKey\":\"KEY\"}",
        "{\"WeftKey\":\"KEY\",\"WeftEpoch\":0}",
        "{\"WeftKey\":\"KEY\",\"WeftEpoch\":\"soon\"}",
        "{\"WeftKey\":42,\"WeftEpoch\":5}",
        "[\"KEY\"]",
        "not json"})
    void shouldReadAMalformedKeyAsNoKey(final String json) {
        assertThat(BackendData.parse(json.replace("KEY", KEY)).hasKey()).isFalse();
    }

    @Test
    void shouldRefuseToWriteAKeyWithoutAnEpoch() {
        assertThatThrownBy(() -> new BackendData(false, KEY, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BackendData(false, "AAAA", 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
