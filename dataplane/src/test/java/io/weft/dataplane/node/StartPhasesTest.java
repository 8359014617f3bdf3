package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StartPhasesTest {
    @Test
    void shouldNameEachStepWithTheTimeSinceTheLastOneAndTheirSum() {
        final AtomicLong clock = new AtomicLong(-TimeUnit.SECONDS.toNanos(5)); // nanoTime may be anywhere
        final StartPhases phases = new StartPhases(clock::get);
        clock.addAndGet(TimeUnit.MICROSECONDS.toNanos(20_700));
        phases.ended("first");
        clock.addAndGet(TimeUnit.MICROSECONDS.toNanos(300));
        phases.ended("second");
        clock.addAndGet(TimeUnit.MICROSECONDS.toNanos(1_600));
        phases.ended("third");

        // Each step truncated to whole milliseconds on its own, the whole once: 22.6 ms.
        assertThat(phases.summary()).isEqualTo("set up in 22 ms (first 20, second 0, third 1)");
    }
}
