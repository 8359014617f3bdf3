package io.weft.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where and how a run happened, written next to its results so numbers are never read without their machine. */
final class MachineInfo {

    private MachineInfo() {
    }

    static Map<String, Object> collect(String commandLine, long clockTicksPerSecond) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("nproc", Runtime.getRuntime().availableProcessors());
        info.put("kernel", firstLine(Path.of("/proc/sys/kernel/osrelease")));
        info.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        info.put("cpuModel", cpuModel());
        info.put("commandLine", commandLine);
        info.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        info.put("iperf3", command("iperf3", "--version"));
        info.put("clockTicksPerSecond", clockTicksPerSecond);
        // Defaults new namespaces inherit; the harness sets the pods' congestion control itself (see BenchOptions).
        info.put("tcpCongestionControlDefault", firstLine(Path.of("/proc/sys/net/ipv4/tcp_congestion_control")));
        info.put("tcpCongestionControlAllowed",
            firstLine(Path.of("/proc/sys/net/ipv4/tcp_allowed_congestion_control")));
        info.put("defaultQdisc", firstLine(Path.of("/proc/sys/net/core/default_qdisc")));
        return info;
    }

    /** This JVM's command line as the OS reports it, else a reconstruction from the main class and its arguments. */
    static String commandLine(String mainClass, String[] args) {
        return ProcessHandle.current().info().commandLine()
            .orElse("java " + mainClass + (args.length == 0 ? "" : " " + String.join(" ", args)));
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8).stream()
                .filter(line -> line.startsWith("model name"))
                .map(line -> line.substring(line.indexOf(':') + 1).trim())
                .findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String firstLine(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("").trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String command(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
            return output.lines().findFirst().orElse("").trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }
}
