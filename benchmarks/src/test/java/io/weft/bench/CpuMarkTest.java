package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What processes spent since a mark, by thread kind, read from this JVM's own /proc entries. */
class CpuMarkTest {
    @Test
    void shouldTellTheLanesTheJitTheCollectorAndTheRestByThreadName() {
        assertThat(CpuMark.threadKind("weft-lane-0")).isEqualTo("lanes");
        assertThat(CpuMark.threadKind("C2 CompilerThre")).isEqualTo("JIT compilers");
        assertThat(CpuMark.threadKind("C1 CompilerThre")).isEqualTo("JIT compilers");
        assertThat(CpuMark.threadKind("VM Thread")).isEqualTo("collector and VM thread");
        assertThat(CpuMark.threadKind("GC Thread#0")).isEqualTo("collector and VM thread");
        assertThat(CpuMark.threadKind("weftd-main")).isEqualTo("other threads");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldCountAThreadStartedAfterTheMarkFromZeroUnderItsKind() throws Exception {
        CpuMark mark = CpuMark.take(List.of(ProcessHandle.current().pid()));
        CountDownLatch burnt = new CountDownLatch(1);
        CountDownLatch measured = new CountDownLatch(1);
        Thread lane = new Thread(() -> {
            // CPU time, not wall time: 200 ms of it is some 20 clock ticks however loaded the machine.
            long end = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() + 200_000_000L;
            while (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() < end) {
                Thread.onSpinWait();
            }
            burnt.countDown();
            try {
                measured.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "weft-lane-9");
        lane.start();
        try {
            assertThat(burnt.await(60, TimeUnit.SECONDS)).isTrue();
            Map<String, Object> spent = mark.spentSince();

            List<Map<String, Double>> byThreads =
                (List<Map<String, Double>>)spent.get("weftdPercentOfOneCoreByThreads");
            assertThat(byThreads).hasSize(1);
            assertThat(byThreads.get(0).get("lanes")).as("the lane thread's share").isPositive();
            assertThat((List<Double>)spent.get("weftdPercentOfOneCore")).hasSize(1);
        } finally {
            measured.countDown();
            lane.join();
        }
    }
}
