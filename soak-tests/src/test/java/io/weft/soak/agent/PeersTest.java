package io.weft.soak.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeersTest {
    @Test
    void shouldParseWhatItFormats() {
        Peers peers = new Peers(List.of("10.244.1.2", "10.244.2.3"), Map.of("10.244.1.2", -5L));

        assertThat(Peers.parse(peers.format())).isEqualTo(peers);
        assertThat(Peers.parse("")).isEqualTo(Peers.NONE);
    }

    @Test
    void shouldRefuseALineItDoesNotKnow() {
        assertThatThrownBy(() -> Peers.parse("udp 10.0.0.1\nsctp 10.0.0.2\n"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sctp");
    }
}
