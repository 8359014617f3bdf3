package io.weft.dataplane.lane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeerFanOutBenchmarkTest {
    @ParameterizedTest
    @CsvSource({"1, 1", "1000, 64"})
    void shouldSendEveryDatagramOfABatchToAsManyPeersAsItSays(final int peers, final int distinct) throws Exception {
        final PeerFanOutBenchmark benchmark = new PeerFanOutBenchmark();
        benchmark.peers = peers;
        benchmark.setUp();
        try {
            assertThat(benchmark.distinctPeersOfNextBatch()).isEqualTo(distinct);
            for (int i = 0; i < 20; i++) {
                assertThat(benchmark.sendBatch()).as("messages sent").isEqualTo(PeerFanOutBenchmark.BATCH);
            }
            assertThat(benchmark.distinctPeersOfNextBatch()).as("later batches too").isEqualTo(distinct);
        } finally {
            benchmark.tearDown();
        }
    }
}
