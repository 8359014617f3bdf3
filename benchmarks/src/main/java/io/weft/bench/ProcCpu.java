package io.weft.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** CPU time of processes from {@code /proc/<pid>/stat} (utime + stime, in clock ticks; proc(5)). */
final class ProcCpu {
    // Fields after "pid (comm) ": state is field 3, utime field 14, stime field 15 (1-based).
    private static final int UTIME_AFTER_COMM = 14 - 3;
    private static final int STIME_AFTER_COMM = 15 - 3;

    private ProcCpu() {
    }

    /** utime + stime of every thread of each process so far, in clock ticks. */
    static long ticks(List<Long> pids) {
        long ticks = 0;
        for (long pid : pids) {
            ticks += ticks(readStat(pid));
        }
        return ticks;
    }

    /** Parses a stat line; comm may hold spaces and parentheses, so fields are counted from its last ')'. */
    static long ticks(String stat) {
        int commEnd = stat.lastIndexOf(')');
        if (commEnd < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
        }
        String[] fields = stat.substring(commEnd + 1).trim().split("\\s+");
        return Long.parseLong(fields[UTIME_AFTER_COMM]) + Long.parseLong(fields[STIME_AFTER_COMM]);
    }

    /** {@code getconf CLK_TCK}: the unit of utime and stime. */
    static long clockTicksPerSecond() {
        try {
            Process process = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (process.waitFor() != 0) {
                throw new IllegalStateException("getconf CLK_TCK failed: " + output);
            }
            return Long.parseLong(output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run getconf CLK_TCK", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running getconf", e);
        }
    }

    private static String readStat(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid + "/stat: is the dataplane still running?", e);
        }
    }
}
