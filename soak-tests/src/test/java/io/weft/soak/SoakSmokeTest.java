package io.weft.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.weft.soak.cluster.NamespaceCluster;
import io.weft.soak.observe.FaultRecord;
import io.weft.soak.observe.SoakData;
import io.weft.soak.report.SoakReport;
import io.weft.soak.report.Verdicts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

/**
 * {@code ./weft soak --profile smoke} inside {@code ./weft test}: four nodes, every fault kind once, every oracle
 * judged, the report in {@code target/soak-smoke}. Any violation fails it, unless it matches one of
 * {@link #KNOWN_FINDINGS} (a defect found and being fixed; none now).
 */
class SoakSmokeTest {
    /** Fixed so that CI repeats one schedule; {@code -Dweft.soak.seed=S} explores others. */
    private static final long DEFAULT_SEED = 1;
    private static final Duration LIMIT = Duration.ofMinutes(4);
    /** A weftd defect the soak shows, and how to tell its violations (given the run's faults and incidents). */
    record Finding(String summary, BiPredicate<Verdicts.Violation, SoakData> shows) {
    }

    /**
     * Violations the smoke may show without failing: weftd defects it found, while they are being fixed. Empty: the
     * two the first runs found (garbage in a node's own lease key renumbering the node; UdpReceiver's receive slots
     * freed by the collector under recvmmsg, corrupting the native heap) are fixed, so the smoke fails on any
     * violation.
     */
    static final List<Finding> KNOWN_FINDINGS = List.of();

    @Test
    void shouldHoldEveryOracleThroughEveryFaultKindOnFourNodesWithinFourMinutes() {
        Optional<String> cause = NamespaceCluster.unavailabilityCause();
        assumeTrue(cause.isEmpty(), () -> "the soak cannot run here: " + cause.orElse(""));
        long seed = Long.getLong("weft.soak.seed", DEFAULT_SEED);
        SoakOptions options = new SoakOptions(Profile.SMOKE, Profile.SMOKE.defaultNodes, LIMIT, seed,
            Path.of("target", "soak-smoke"), List.of(), List.of());

        SoakData data = new SoakRun(options, nodes -> NamespaceCluster.start(nodes, List.of()),
            line -> System.out.println("[smoke] " + line)).run();
        SoakReport.Written written = SoakReport.write(data, options.out());

        written.verdicts().forEach(v -> System.out.println("[smoke] " + (v.passed() ? "pass " : "FAIL ") + v.name()
            + ": " + v.detail()));
        List<Verdicts.Violation> violations = written.verdicts().stream().flatMap(v -> v.violations().stream())
            .toList();
        KNOWN_FINDINGS.stream().filter(f -> violations.stream().anyMatch(v -> f.shows().test(v, data)))
            .forEach(f -> System.out.println("[smoke] known weftd finding seen again: " + f.summary()));
        List<Verdicts.Violation> unexpected = violations.stream()
            .filter(v -> KNOWN_FINDINGS.stream().noneMatch(f -> f.shows().test(v, data))).toList();
        assertThat(unexpected).as("violations not blamed on a known weftd finding; report: %s",
            written.report().toAbsolutePath()).isEmpty();
        assertThat(data.faults()).filteredOn(f -> f.index() < FaultRecord.FIRST_INCIDENT)
            .extracting(FaultRecord::kind).as("every fault kind once")
            .containsExactlyInAnyOrderElementsOf(Arrays.stream(FaultKind.values()).map(FaultKind::id).toList());
        assertThat(data.meta().elapsedSeconds()).as("the smoke, cluster made and removed").isLessThanOrEqualTo(
            LIMIT.toSeconds());
        assertThat(written.report()).isRegularFile();
        assertThat(written.plots()).allSatisfy(plot -> assertThat(Files.isRegularFile(plot)).isTrue());
    }
}
