package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PingResultTest {
    private static final String ALL_REPLIED = String.join("\n",
        "PING 10.244.2.2 (10.244.2.2) 56(84) bytes of data.",
        "64 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=0.271 ms",
        "64 bytes from 10.244.2.2: icmp_seq=2 ttl=62 time=0.061 ms",
        "64 bytes from 10.244.2.2: icmp_seq=3 ttl=62 time=0.083 ms",
        "",
        "--- 10.244.2.2 ping statistics ---",
        "3 packets transmitted, 3 received, 0% packet loss, time 401ms",
        "rtt min/avg/max/mdev = 0.061/0.138/0.271/0.094 ms",
        "");

    @Test
    void shouldParseCountsRttAndReplyTimesWhenAllReplied() {
        PingResult result = PingResult.parse(ALL_REPLIED);

        assertThat(result.transmitted()).isEqualTo(3);
        assertThat(result.received()).isEqualTo(3);
        assertThat(result.minMs()).isEqualTo(0.061);
        assertThat(result.avgMs()).isEqualTo(0.138);
        assertThat(result.maxMs()).isEqualTo(0.271);
        assertThat(result.replyTimesMs()).containsExactly(0.271, 0.061, 0.083);
        assertThat(result.lossRatio()).isZero();
    }

    @Test
    void shouldReportNanRttWhenNoReplyArrived() {
        String output = String.join("\n",
            "PING 10.244.9.9 (10.244.9.9) 56(84) bytes of data.",
            "From 10.244.1.1 icmp_seq=1 Destination Net Unreachable",
            "",
            "--- 10.244.9.9 ping statistics ---",
            "2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 201ms",
            "");

        PingResult result = PingResult.parse(output);

        assertThat(result.transmitted()).isEqualTo(2);
        assertThat(result.received()).isZero();
        assertThat(result.avgMs()).isNaN();
        assertThat(result.replyTimesMs()).isEmpty();
        assertThat(result.lossRatio()).isEqualTo(1.0);
        assertThat(result.percentileMs(50)).isNaN();
    }

    @Test
    void shouldIgnoreDuplicatesAndParseIntegralTimesWhenRepliesVary() {
        String output = String.join("\n",
            "64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=120 ms",
            "64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=121 ms (DUP!)",
            "64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=0.5 ms",
            "--- 10.0.0.1 ping statistics ---",
            "2 packets transmitted, 2 received, +1 duplicates, 0% packet loss, time 1001ms",
            "rtt min/avg/max/mdev = 0.500/80.500/121.000/56.000 ms");

        PingResult result = PingResult.parse(output);

        assertThat(result.replyTimesMs()).containsExactly(120.0, 0.5);
        assertThat(result.received()).isEqualTo(2);
    }

    @Test
    void shouldComputeNearestRankPercentilesWhenTimesAreRandom() {
        Random random = new Random(42);
        List<Double> times = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            times.add((double) i);
        }
        Collections.shuffle(times, random);
        PingResult result = new PingResult(100, 100, 1, 50.5, 100, times);

        assertThat(result.percentileMs(50)).isEqualTo(50.0);
        assertThat(result.percentileMs(99)).isEqualTo(99.0);
        assertThat(result.percentileMs(100)).isEqualTo(100.0);
        assertThat(result.percentileMs(0.1)).isEqualTo(1.0);
        assertThat(PingResult.parse(ALL_REPLIED).percentileMs(50)).isCloseTo(0.083, within(1e-9));
    }

    @Test
    void shouldRejectOutputWhenStatisticsAreMissingOrInconsistent() {
        assertThatThrownBy(() -> PingResult.parse("ping: connect: Network is unreachable\n"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no ping statistics");
        assertThatThrownBy(() -> PingResult.parse("1 packets transmitted, 1 received, 0% packet loss\n"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no rtt");
        assertThatThrownBy(() -> PingResult.parse(ALL_REPLIED).percentileMs(0))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldNeverThrowOtherThanIllegalArgumentWhenOutputIsTruncatedAnywhere() {
        for (int cut = 0; cut < ALL_REPLIED.length(); cut++) {
            String truncated = ALL_REPLIED.substring(0, cut);
            try {
                PingResult result = PingResult.parse(truncated);
                assertThat(result.received()).isBetween(0, 3);
            } catch (IllegalArgumentException expected) {
                // Truncated before the summary or the rtt line: refused with a message.
            }
        }
    }
}
