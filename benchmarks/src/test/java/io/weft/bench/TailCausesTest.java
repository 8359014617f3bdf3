package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class TailCausesTest {
    private static final long WEFTD = 4711;

    @Test
    void shouldGiveEachTaskTheStretchUpToTheNextSwitchOnItsOwnCpu() {
        String script = String.join("\n",
            "     weft-lane-0  4711/4720 [000]   100.000100: sched:sched_switch: ",
            "       kdamond.0   105/105  [001]   100.000150: sched:sched_switch: ",
            "C2 CompilerThre  4711/4730 [000]   100.000400: sched:sched_switch: ",
            "            ping   900/900  [000]   100.000500:     sched:sched_wakeup: ",
            "       swapper/1     0/0    [001]   100.002150: sched:sched_switch: ");

        assertThat(SchedSwitches.parse(script)).containsExactly(
            new SchedSwitches.Held(0, 100_000_100, 100_000_400, WEFTD, "C2 CompilerThre"),
            new SchedSwitches.Held(1, 100_000_150, 100_002_150, 0, "swapper/1"));
    }

    @Test
    void shouldPutASlowReplyDownToWhatHeldACpuLongestWhileItWasInFlight() {
        List<SchedSwitches.Held> held = List.of(
            new SchedSwitches.Held(0, 0, 1_000, WEFTD, "weft-lane-0"),
            new SchedSwitches.Held(0, 1_000, 3_000, WEFTD, "C2 CompilerThre"),
            new SchedSwitches.Held(0, 3_000, 3_500, WEFTD, "weft-lane-0"),
            new SchedSwitches.Held(1, 0, 2_600, 0, "swapper/1"),
            new SchedSwitches.Held(1, 2_600, 2_900, 105, "kdamond.0"),
            new SchedSwitches.Held(2, 0, 3_500, 77, "stress"),
            new SchedSwitches.Held(0, 3_500, 10_000, 0, "swapper/0"),
            new SchedSwitches.Held(1, 2_900, 10_000, 0, "swapper/1"));

        Map<String, TailCauses.Cause> causes = TailCauses.of(List.of(
                new TailCauses.Reply(3_400, 3_000),
                new TailCauses.Reply(9_000, 1_500),
                new TailCauses.Reply(9_500, 200)),
            held, Set.of(0, 1), Set.of(WEFTD), 1_000);

        assertThat(causes).containsOnlyKeys("weftd: JIT compiler", "other: kdamond", TailCauses.NONE);
        assertThat(causes.get("weftd: JIT compiler")).isEqualTo(new TailCauses.Cause(1, 2.0));
        assertThat(causes.get("other: kdamond").slowReplies()).as("held 0.3 of 3 ms: not the cause").isZero();
        assertThat(causes.get(TailCauses.NONE)).as("idle CPUs only").isEqualTo(new TailCauses.Cause(1, 0));
        assertThat(List.copyOf(causes.keySet()).get(0)).isEqualTo("weftd: JIT compiler");
    }

    @Test
    void shouldLeaveOutRepliesBeyondTheTrace() {
        List<SchedSwitches.Held> held = List.of(new SchedSwitches.Held(0, 5_000, 9_000, 1, "stress"));

        assertThat(TailCauses.of(List.of(new TailCauses.Reply(6_000, 2_000), new TailCauses.Reply(9_500, 1_000)),
            held, Set.of(0), Set.of(), 1_000)).isEmpty();
    }

    @Test
    void shouldNameCausesByWhatTheyAre() {
        assertThat(cause(WEFTD, "C1 CompilerThre")).isEqualTo("weftd: JIT compiler");
        assertThat(cause(WEFTD, "VM Thread")).isEqualTo("weftd: VM Thread");
        assertThat(cause(WEFTD, "weft-ip-masq")).isEqualTo("weftd: weft-ip-masq");
        assertThat(cause(9, "jspawnhelper")).isEqualTo("processes started (weftd's iptables check)");
        assertThat(cause(9, "kworker/u8:0-kv")).isEqualTo("other: kworker");
        assertThat(cause(9, "ksoftirqd/1")).isEqualTo("other: ksoftirqd");
        assertThat(cause(9, "GC Thread#1")).isEqualTo("other: GC Thread");
        assertThat(cause(WEFTD, "weft-lane-1")).as("the path").isNull();
        assertThat(cause(9, "ping")).as("the path").isNull();
        assertThat(cause(0, "swapper/0")).as("idle").isNull();
    }

    @Test
    void shouldTimeRepliesOnTheTraceClock() {
        String output = String.join("\n", "PING 10.244.2.2 (10.244.2.2) 56(84) bytes of data.",
            "[1796566670.024815] 64 bytes from 10.244.2.2: icmp_seq=1 ttl=60 time=3.08 ms",
            "[1796566670.034815] 64 bytes from 10.244.2.2: icmp_seq=2 ttl=60 time=0.301 ms", "");

        assertThat(PingTails.replies(output, 1_796_566_000_000_000L)).containsExactly(
            new TailCauses.Reply(670_024_815, 3_080), new TailCauses.Reply(670_034_815, 301));
        assertThat(PingTails.percentile(List.of(0.1, 0.2, 0.3, 0.4), 50)).isEqualTo(0.2);
        assertThat(PingTails.percentile(List.of(0.1, 0.2, 0.3, 0.4), 99)).isEqualTo(0.4);
    }

    private static String cause(long pid, String comm) {
        return TailCauses.cause(new SchedSwitches.Held(0, 0, 1, pid, comm), Set.of(WEFTD));
    }
}
