package io.weft.bench;

import io.weft.testbed.ExecResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The system calls the lane threads of some weftds make, by call, counted by {@code perf stat --per-thread} on the
 * kernel's system call tracepoints: counting, not sampling, so what it adds to each call is small and nothing is
 * unwound. For the question of how many calls a packet costs at low rates ({@link Footprint} with {@code --perf}).
 */
final class LaneSystemCalls {
    /** The calls a lane makes, or may (the JVM's futex, a poll's sched_yield); those the kernel has are counted. */
    static final List<String> CALLS = List.of("epoll_wait", "epoll_pwait", "read", "write", "readv", "writev",
        "recvmmsg", "sendmmsg", "recvmsg", "sendmsg", "sched_yield", "futex");
    /** Every call, whatever it is. */
    static final String ALL = "all";
    /** A lane's thread name: its agent's role name, "weft-lane-N". */
    static final String LANE_THREAD = "weft-lane-";
    private static final Path TRACEPOINTS = Path.of("/sys/kernel/tracing/events/syscalls");

    private LaneSystemCalls() {
    }

    /** Counts, for {@code duration}, the calls of the lane threads of {@code pids}: per call, and {@value #ALL}. */
    static Map<String, Long> count(List<Long> pids, Duration duration) {
        List<String> events = new ArrayList<>();
        for (String call : CALLS) {
            if (Files.isDirectory(TRACEPOINTS.resolve("sys_enter_" + call))) {
                events.add("syscalls:sys_enter_" + call);
            }
        }
        events.add("raw_syscalls:sys_enter");
        List<String> command = List.of("perf", "stat", "--per-thread", "-x,", "-e", String.join(",", events),
            "-p", pids.stream().map(String::valueOf).collect(Collectors.joining(",")),
            "--", "sleep", Long.toString(duration.toSeconds()));
        Process perf = null;
        try {
            perf = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            perf.getOutputStream().close();
            String counts = new String(perf.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            ExecResult result = new ExecResult(command, perf.waitFor(), "", counts);
            if (!result.ok()) {
                throw new IllegalStateException("perf stat failed: " + counts);
            }
            return laneCalls(counts);
        } catch (IOException e) {
            throw new UncheckedIOException("perf stat failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            if (perf != null && perf.isAlive()) {
                perf.destroyForcibly();
            }
        }
    }

    /**
     * From {@code perf stat --per-thread -x,} output ("weft-lane-0-4711,1234,,syscalls:sys_enter_read,..."): the
     * lane threads' counts summed per call, the total as {@value #ALL}; other threads and comments left out.
     */
    static Map<String, Long> laneCalls(String perfStatOutput) {
        Map<String, Long> calls = new LinkedHashMap<>();
        for (String line : perfStatOutput.split("\n")) {
            String[] fields = line.split(",", -1);
            if (fields.length < 4 || !fields[0].startsWith(LANE_THREAD) || !fields[1].matches("\\d+")) {
                continue;
            }
            String event = fields[3];
            String call = event.equals("raw_syscalls:sys_enter") ? ALL
                : event.substring(event.indexOf("sys_enter_") + "sys_enter_".length());
            calls.merge(call, Long.parseLong(fields[1]), Long::sum);
        }
        return calls;
    }
}
