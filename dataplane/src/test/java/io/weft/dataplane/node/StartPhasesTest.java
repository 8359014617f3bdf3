package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class StartPhasesTest {
    private static final Pattern SUMMARY = Pattern.compile("set up in (\\d+) ms \\(first (\\d+), second (\\d+)\\)");

    @Test
    void shouldNameEachStepWithTheTimeSinceTheLastOneAndTheirSum() throws InterruptedException {
        final StartPhases phases = new StartPhases();
        Thread.sleep(20);
        phases.ended("first");
        phases.ended("second");

        final Matcher summary = SUMMARY.matcher(phases.summary());
        assertThat(summary.matches()).as(phases.summary()).isTrue();
        final long total = Long.parseLong(summary.group(1));
        final long first = Long.parseLong(summary.group(2));
        final long second = Long.parseLong(summary.group(3));
        assertThat(first).isGreaterThanOrEqualTo(20);
        assertThat(second).isLessThan(first);
        // Each step is truncated to whole milliseconds on its own, the total once.
        assertThat(total).isBetween(first + second, first + second + 1);
    }
}
