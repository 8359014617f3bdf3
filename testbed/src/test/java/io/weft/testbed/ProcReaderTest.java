package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcReaderTest {
    @Test
    void shouldReadThisJvmFromOutside() {
        long pid = ProcessHandle.current().pid();
        Optional<ProcessSample> sample = ProcReader.sample(pid);

        assertThat(sample).isPresent();
        assertThat(sample.get().rssKb()).isPositive();
        assertThat(sample.get().rssFileKb()).as("libjvm.so at least").isPositive().isLessThan(sample.get().rssKb());
        assertThat(sample.get().threads()).isPositive();
        assertThat(sample.get().fds()).isGreaterThan(2);
        assertThat(sample.get().heapUsedBytes()).as("perf data of a JVM run with the defaults").isPositive()
            .isLessThan(Runtime.getRuntime().maxMemory() + (64L << 20));
        assertThat(ProcReader.heapCommitted(pid)).as("perf data's committed heap").isPositive()
            .isGreaterThanOrEqualTo(Runtime.getRuntime().totalMemory() / 2)
            .isLessThanOrEqualTo(Runtime.getRuntime().maxMemory() + (64L << 20));
        assertThat(ProcReader.udpCounters(pid)).containsKey("RcvbufErrors");
    }

    @Test
    void shouldSayNothingOfAProcessThatIsGone() {
        assertThat(ProcReader.sample(Integer.MAX_VALUE)).isEmpty();
        assertThat(ProcReader.heapUsed(Integer.MAX_VALUE)).isEqualTo(-1);
        assertThat(ProcReader.heapCommitted(Integer.MAX_VALUE)).isEqualTo(-1);
    }
}
