package io.weft.soak;

import io.weft.soak.cluster.NamespaceCluster;
import io.weft.soak.observe.SoakData;
import io.weft.soak.report.SoakReport;
import io.weft.soak.report.Verdicts;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./weft soak}: runs a soak on a namespace cluster, writes its report, prints the verdicts. Exits 0 when every
 * oracle holds, 1 when one does not, 2 on a usage error, 3 when this machine cannot run it. Ctrl-C ends the run
 * early: the report covers what ran, and nothing is left behind.
 */
public final class Soak {
    private static final long REPORT_WAIT_SECONDS = 60;

    private Soak() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 2 && "--render".equals(args[0])) {
            // Judges and renders a run again from its soak.json, into the same directory.
            Path dir = Path.of(args[1]);
            SoakReport.Written written = SoakReport.write(SoakReport.read(dir.resolve("soak.json")), dir);
            print(written);
            System.exit(written.passed() ? 0 : 1);
            return;
        }
        SoakOptions options;
        try {
            options = SoakOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("soak: " + e.getMessage() + "\n" + SoakOptions.USAGE);
            System.exit(2);
            return;
        }
        Optional<String> cause = NamespaceCluster.unavailabilityCause();
        if (cause.isPresent()) {
            System.err.println("soak: cannot run here: " + cause.get());
            System.exit(3);
            return;
        }
        SoakRun run = new SoakRun(options, nodes -> NamespaceCluster.start(nodes, options.weftdArgs(),
            options.weftdJvmArgs()),
            System.out::println);
        CountDownLatch reported = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            System.out.println("[soak] interrupted: ending the run, writing what it saw");
            run.requestStop();
            try {
                // The JVM halts when the hooks return: the report must be written first.
                reported.await(REPORT_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "soak-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        SoakData data = run.run();
        SoakReport.Written written;
        try {
            written = SoakReport.write(data, options.out());
            print(written);
        } finally {
            reported.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            return; // shutting down already
        }
        System.exit(written.passed() ? 0 : 1);
    }

    private static void print(SoakReport.Written written) {
        for (Verdicts.Verdict verdict : written.verdicts()) {
            System.out.println("[soak] " + (verdict.passed() ? "pass " : "FAIL ") + verdict.name() + ": "
                + verdict.detail());
        }
        System.out.println("[soak] report: " + written.report().toAbsolutePath());
    }
}
