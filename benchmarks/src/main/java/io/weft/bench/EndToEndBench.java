package io.weft.bench;

import io.weft.testbed.Iperf3;
import io.weft.testbed.Testbed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The end-to-end harness ({@code ./weft bench}): in one run, interleaved over rounds, every variant gets a fresh
 * two-node testbed and is measured pod to pod across the nodes (see {@link PodToPod}); the results go to one JSON file
 * (see {@link ResultFile}) that perf-reports renders. A variant that fails in a round is recorded as an error and the
 * run goes on; the exit code is 1 if any did.
 */
public final class EndToEndBench {

    private EndToEndBench() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
            System.out.println(BenchOptions.USAGE);
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
            if (options.variants().contains(Variant.WEFT_BEFORE)) {
                Variant.beforeJar();
            }
        } catch (IllegalArgumentException e) {
            System.err.println("EndToEndBench: " + e.getMessage() + "\n" + BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        Optional<String> cause = unavailabilityCause();
        if (cause.isPresent()) {
            System.err.println("EndToEndBench: cannot run: " + cause.get());
            System.exit(1);
        }
        ResultFile results = run(options, MachineInfo.commandLine(EndToEndBench.class.getName(), args),
            EndToEndBench::say);
        say("results in " + results.path().toAbsolutePath() + (results.errorCount() == 0 ? ""
            : " (" + results.errorCount() + " variant runs failed: see \"errors\")"));
        System.exit(results.errorCount() == 0 ? 0 : 1);
    }

    /** Why the harness cannot run here (not root, no CNI plugins, no iperf3), or empty. Without taskset: unpinned. */
    public static Optional<String> unavailabilityCause() {
        Optional<String> testbed = Testbed.unavailabilityCause();
        if (testbed.isPresent()) {
            return testbed;
        }
        if (!Iperf3.isAvailable()) {
            return Optional.of("needs iperf3 on PATH");
        }
        return Optional.empty();
    }

    /** Runs every round and variant, writing the result file after each; returns it. */
    static ResultFile run(BenchOptions options, String commandLine, Consumer<String> log) {
        long clockTicks = ProcCpu.clockTicksPerSecond();
        Pinning pinning = pinning(options, log);
        ResultFile results = new ResultFile(options.output(), MachineInfo.collect(commandLine, clockTicks),
            settings(options, pinning));
        results.write();
        PodToPod measurement = new PodToPod(options, pinning, clockTicks, log);
        for (int round = 1; round <= options.rounds(); round++) {
            List<Variant> order = options.order(round);
            log.accept("round " + round + " of " + options.rounds() + ": "
                + order.stream().map(Variant::label).toList());
            for (Variant variant : order) {
                long start = System.nanoTime();
                try (Topology topology = variant.build(pinning, options.natRules())) {
                    results.add(measurement.measure(variant, round, topology));
                } catch (RuntimeException e) {
                    log.accept(variant.label() + " round " + round + " FAILED: " + e.getMessage());
                    results.addError(variant.label(), round, String.valueOf(e.getMessage()));
                }
                results.write();
                log.accept(variant.label() + " round " + round + " took "
                    + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s");
            }
        }
        return results;
    }

    private static Pinning pinning(BenchOptions options, Consumer<String> log) {
        if (!options.pinning()) {
            return Pinning.off();
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        int highest = Math.max(options.cpus().get(0), options.cpus().get(1));
        if (highest >= cpus || !onPath("taskset")) {
            log.accept("not pinning: " + (highest >= cpus ? "only " + cpus + " CPUs" : "no taskset on PATH"));
            return Pinning.off();
        }
        return Pinning.of(options.cpus().get(0), options.cpus().get(1));
    }

    private static Map<String, Object> settings(BenchOptions options, Pinning pinning) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("rounds", options.rounds());
        settings.put("seconds", options.seconds());
        settings.put("warmupSeconds", options.warmupSeconds());
        settings.put("variants", options.variants().stream().map(Variant::label).toList());
        settings.put("order", "a fresh testbed per variant and round, warmed up by an unrecorded "
            + options.warmupSeconds() + " s TCP run; the variant order rotates by one each round");
        settings.put("pinning", pinning.describe());
        settings.put("baselineWeftdArgs", Variant.BASELINE_WEFTD_ARGS);
        settings.put("spinWeftdArgs", Variant.SPIN_WEFTD_ARGS);
        settings.put("etcdWeftdArgs", Variant.ETCD_WEFTD_ARGS);
        settings.put("authWeftdArgs", Variant.AUTH_WEFTD_ARGS);
        settings.put("encryptWeftdArgs", Variant.ENCRYPT_WEFTD_ARGS);
        settings.put("leases", "static lease file for weft, weft-baseline and weft-spin; etcd in the hub for"
            + " weft-etcd, weft-auth and weft-encrypt (keys travel in the leases), which run only once node 1's"
            + " sealed datagrams open on node 2");
        settings.put("wireguardGo", "wireguard-go -f (Debian) per node, pinned as weftd, wg set with a fresh key pair,"
            + " port " + Topologies.WIREGUARD_PORT + ", pod MTU " + Topologies.WIREGUARD_MTU);
        settings.put("natRules", options.natRules()
            ? "every node carries flanneld's --ip-masq nat rules (weftd's --ip-masq on weft's nodes, the same rules by"
                + " iptables on host-gw's, vxlan's and wireguard-go's): the kernel tracks connections in every variant"
            : "none: no node has a nat rule (weftd runs with --ip-masq=false and the pods' conflist does not"
                + " masquerade either), so the kernel tracks no connection in any variant");
        settings.put("tcpCongestionControl", options.tcpCongestion() + " in both pods (congctl on every pod route),"
            + " whatever the machine's default and allowed list; every iperf3 TCP run checks both sockets used it");
        settings.put("tcp", "iperf3 -t " + options.seconds() + " -P 1 and -P 4, pod 1 to pod 2; Gbit/s received");
        settings.put("udp", "iperf3 -u -l " + PodToPod.UDP_PAYLOAD_BYTES + " -b " + options.udpBitrate()
            + " -t " + options.seconds() + "; packets/s the server received (sent minus lost)");
        settings.put("ping", "ping -i " + options.pingIntervalMs() / 1000.0 + " for " + options.seconds()
            + " s; nearest-rank percentiles of the reply times");
        settings.put("rr", "1-byte TCP ping-pong (TCP_NODELAY), one in flight, " + options.seconds()
            + " s after a warm-up; HdrHistogram percentiles");
        settings.put("dataplaneCpu", "utime+stime of both weftd processes (/proc/<pid>/stat) during the TCP 1-stream"
            + " run, per 10^9 bytes received");
        return settings;
    }

    /** Whether {@code program} is an executable on the PATH (or in the sbin directories root has). */
    static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static void say(String message) {
        System.out.println("[bench] " + message);
        System.out.flush();
    }
}
