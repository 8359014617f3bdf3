package io.weft.soak.report;

import static io.weft.soak.report.Fixtures.clusterFault;
import static io.weft.soak.report.Fixtures.data;
import static io.weft.soak.report.Fixtures.loss;
import static io.weft.soak.report.Fixtures.micros;
import static io.weft.soak.report.Fixtures.nodeFault;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.SoakData;
import io.weft.soak.observe.TcpEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictsTest {
    private final FaultRecord leave = nodeFault(1, "node-leave", "n4", 50, 55);
    private final FaultRecord kill = nodeFault(2, "weftd-kill", "n2", 100, 103);
    private final FaultRecord etcd = clusterFault(3, "etcd-down", 120, 150);

    private List<Verdicts.Verdict> judge(SoakData data) {
        Attribution attribution = new Attribution(data);
        return Verdicts.judge(data, attribution, new TcpJudge(data, attribution), new ResourceTrends(data),
            new CounterReconciliation(data, attribution));
    }

    private static Verdicts.Verdict verdict(List<Verdicts.Verdict> verdicts, String prefix) {
        return verdicts.stream().filter(v -> v.name().startsWith(prefix)).findFirst().orElseThrow();
    }

    @Test
    void shouldBlameEachViolationOnTheFaultWhoseWindowItBeganIn() {
        List<Verdicts.Verdict> verdicts = judge(data(List.of(leave, kill, etcd), List.of(
            loss("n1/a", "n3/b", 101, 101, 1), loss("n1/a", "n3/b", 135, 136, 21)), List.of(), List.of()));

        assertThat(verdict(verdicts, "no probe lost on a pair").violations()).extracting(Verdicts.Violation::kind)
            .containsExactly("weftd-kill");
        assertThat(verdict(verdicts, "cluster faults").violations()).extracting(Verdicts.Violation::kind)
            .containsExactly("etcd-down");
        assertThat(verdict(verdicts, "every fault kind").passed()).isTrue();
    }

    @Test
    void shouldNameANativeCrashFromTheJvmsBannerOrGlibcsAbort() {
        assertThat(Verdicts.nativeCrash("weftd INFO forwarding\nfree(): invalid next size (normal)"))
            .isEqualTo(" (native crash, glibc abort: free(): invalid next size (normal))");
        assertThat(Verdicts.nativeCrash("#\n# Problematic frame:\n# C  [libc.so.6+0x9506f]\n#"))
            .isEqualTo(" (native crash, JVM fatal error: C  [libc.so.6+0x9506f])");
        assertThat(Verdicts.nativeCrash("weftd: the registry gave our lease back with another subnet")).isEmpty();
    }

    @Test
    void shouldAllowATcpResetOnlyWhereANodeLeaves() {
        List<TcpEvent> tcp = List.of(
            new TcpEvent(micros(52), "closed", "n4/a", "n1/b", 7, 0, "reset 100 x"),
            new TcpEvent(micros(101), "closed", "n2/a", "n1/b", 8, 0, "reset 100 x"),
            new TcpEvent(micros(170), "closed", "n2/a", "n1/b", 9, 0, "eof 5000"));

        Verdicts.Verdict breaks = verdict(judge(data(List.of(leave, kill, etcd), List.of(), tcp, List.of())),
            "TCP connections break");

        assertThat(breaks.violations()).hasSize(1);
        assertThat(breaks.violations().get(0).fault()).isEqualTo(2);
    }

    @Test
    void shouldAllowAStallOnlyWhereANodeFaultTouchesAnEnd() {
        List<TcpEvent> tcp = List.of(
            new TcpEvent(micros(103), "stall", "n2/a", "n1/b", 8, 0, Long.toString(micros(101))),
            new TcpEvent(micros(140), "stall", "n3/a", "n1/b", 8, 0, Long.toString(micros(138))));

        Verdicts.Verdict stalls = verdict(judge(data(List.of(leave, kill, etcd), List.of(), tcp, List.of())),
            "TCP stalls");

        assertThat(stalls.violations()).extracting(Verdicts.Violation::kind).containsExactly("etcd-down");
    }
}
