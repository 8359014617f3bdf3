package io.weft.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.weft.dataplane.packet.TestPackets;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SealOpenBenchmarkTest {

    @ParameterizedTest
    @CsvSource({"64, false", "64, true", "1400, false", "1400, true"})
    void shouldSealAndOpenUnderEachPeersKeyWhenRepeated(final int packetLength, final boolean encrypt) {
        assumeTrue(Gcrypt.isAvailable(), Gcrypt::unavailabilityCause);
        final SealOpenBenchmark benchmark = new SealOpenBenchmark();
        benchmark.packetLength = packetLength;
        benchmark.encrypt = encrypt;
        benchmark.setUp();
        try {
            final byte[] inner = TestPackets.tcp().totalLength(packetLength).build();
            assertThat(Arrays.equals(benchmark.sealedPacketOfPeerA(), inner)).as("in clear").isEqualTo(!encrypt);
            assertThat(benchmark.openPeerBWithKeyA()).as("the two peers' keys differ").isEqualTo(DatagramOpen.BAD_TAG);
            for (int i = 0; i < 4; i++) {
                assertThat(benchmark.seal()).isTrue();
                assertThat(benchmark.sealSegment()).isTrue();
                assertThat(benchmark.sealAlternatingPeers()).isTrue();
                assertThat(benchmark.open()).isEqualTo(packetLength);
                assertThat(benchmark.openedPacket()).isEqualTo(inner);
                assertThat(benchmark.openAlternatingPeers()).as("datagram %d of two peers'", i)
                    .isEqualTo(packetLength);
                assertThat(benchmark.openedPacket()).isEqualTo(inner);
            }
        } finally {
            benchmark.tearDown();
        }
    }
}
