package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The relay floor relays what it is sent and says what socat spent; the figures themselves are the bench's. */
class BlockingRelayFloorTest {
    @Test
    void shouldRelayEveryDatagramAndReportSocatsCpu() {
        assumeTrue(BlockingRelayFloor.unavailabilityCause().isEmpty(),
            () -> "skipped: " + BlockingRelayFloor.unavailabilityCause().orElse(""));

        Map<String, Object> figures = BlockingRelayFloor.measure(200, 1);

        assertThat(figures.get("relayed")).as("every datagram sent, relayed on loopback")
            .isEqualTo(figures.get("sent"));
        assertThat(figures.get("relayMicrosecondsPerPacket")).as("per packet, once packets came").isNotNull();
    }
}
