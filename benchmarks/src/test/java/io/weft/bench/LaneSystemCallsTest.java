package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading perf stat's per-thread counts: the lanes' calls summed per call, everything else left out. */
final class LaneSystemCallsTest {
    @Test
    void shouldSumTheLaneThreadsCountsPerCallAndLeaveOtherThreadsOut() {
        String output = String.join("\n",
            "# started on Mon Dec  7 18:31:08 2026",
            "",
            "weft-lane-0-4711,3000,,syscalls:sys_enter_epoll_wait,7000000000,100.00,,",
            "weft-lane-0-4802,2900,,syscalls:sys_enter_epoll_wait,7000000000,100.00,,",
            "weft-lane-0-4711,6000,,syscalls:sys_enter_read,7000000000,100.00,,",
            "weftd-main-4700,500,,syscalls:sys_enter_read,7000000000,100.00,,",
            "weft-lane-1-4712,<not counted>,,syscalls:sys_enter_read,0,100.00,,",
            "weft-lane-0-4711,12000,,raw_syscalls:sys_enter,7000000000,100.00,,",
            "weft-lane-0-4802,11000,,raw_syscalls:sys_enter,7000000000,100.00,,");

        assertThat(LaneSystemCalls.laneCalls(output))
            .containsExactly(Map.entry("epoll_wait", 5900L), Map.entry("read", 6000L),
                Map.entry(LaneSystemCalls.ALL, 23000L));
    }
}
