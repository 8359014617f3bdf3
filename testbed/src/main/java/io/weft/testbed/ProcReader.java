package io.weft.testbed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Reads a process from outside, without starting anything: {@code /proc/<pid>/status} (VmRSS, RssFile, Threads),
 * {@code fd/}, {@code stat} (utime + stime), {@code net/snmp} of its network namespace, and the JVM's perf data file
 * ({@code /tmp/hsperfdata_<user>/<pid>}, what jstat reads) for the heap in use.
 */
public final class ProcReader {
    // proc(5): after "pid (comm) ", state is field 3; utime is field 14 and stime 15.
    private static final int UTIME_AFTER_COMM = 14 - 3;
    private static final int STIME_AFTER_COMM = 15 - 3;
    private static final int POLICY_AFTER_COMM = 41 - 3;
    private static final int PERF_MAGIC = 0xcafec0c0;
    private static final String HEAP_SPACE = "sun.gc.generation.";

    private ProcReader() {
    }

    public static Optional<ProcessSample> sample(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            long rssKb = 0;
            long rssFileKb = 0;
            int threads = 0;
            for (String line : Files.readAllLines(proc.resolve("status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    rssKb = kilobytes(line, 6);
                } else if (line.startsWith("RssFile:")) {
                    rssFileKb = kilobytes(line, 8);
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring(8).strip());
                }
            }
            int fds = 0;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc.resolve("fd"))) {
                for (Path ignored : entries) {
                    fds++;
                }
            }
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 1).strip().split("\\s+");
            long ticks = Long.parseLong(fields[UTIME_AFTER_COMM]) + Long.parseLong(fields[STIME_AFTER_COMM]);
            return Optional.of(new ProcessSample(pid, rssKb, rssFileKb, heapUsed(pid), threads, fds, ticks));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static long kilobytes(String line, int afterName) {
        return Long.parseLong(line.substring(afterName).replace("kB", "").strip());
    }

    /**
     * A thread of a process: its id, its name (15 characters at most), its scheduling policy (sched(7)) and the CPU
     * time it has used, user and system, in clock ticks.
     */
    public record ThreadSample(long tid, String name, int policy, long cpuTicks) {
    }

    /** The threads of {@code pid}, from {@code task/TID/stat}; those that ended while read are left out. */
    public static List<ThreadSample> threads(long pid) throws IOException {
        List<ThreadSample> threads = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    // Ended since the listing.
                    continue;
                }
                String[] fields = stat.substring(stat.lastIndexOf(')') + 1).strip().split("\\s+");
                threads.add(new ThreadSample(Long.parseLong(task.getFileName().toString()),
                    stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')), Integer.parseInt(
                        fields[POLICY_AFTER_COMM]), Long.parseLong(fields[UTIME_AFTER_COMM])
                        + Long.parseLong(fields[STIME_AFTER_COMM])));
            }
        }
        return threads;
    }

    /** The {@code Udp:} counters of the network namespace {@code pid} lives in. */
    public static Map<String, Long> udpCounters(long pid) {
        Map<String, Long> counters = new LinkedHashMap<>();
        try {
            String[] header = null;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", "snmp"))) {
                if (!line.startsWith("Udp:")) {
                    continue;
                }
                String[] fields = line.substring(4).strip().split("\\s+");
                if (header == null) {
                    header = fields;
                } else {
                    for (int i = 0; i < Math.min(header.length, fields.length); i++) {
                        counters.put(header[i], Long.parseLong(fields[i]));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            counters.clear();
        }
        return counters;
    }

    /** Bytes used in every heap space the perf data lists ({@code sun.gc.generation.G.space.S.used}); -1 if unread. */
    public static long heapUsed(long pid) {
        return sumOfPerfData(pid, ProcReader::isHeapSpaceUsed);
    }

    /**
     * Bytes of heap committed, all generations ({@code sun.gc.generation.G.capacity}); -1 if unread. Not what RSS
     * counts (pages never touched are not resident), but where RSS can grow to without a collection giving it back.
     */
    public static long heapCommitted(long pid) {
        return sumOfPerfData(pid, name -> name.startsWith(HEAP_SPACE) && name.endsWith(".capacity")
            && name.indexOf('.', HEAP_SPACE.length()) == name.length() - ".capacity".length());
    }

    private static boolean isHeapSpaceUsed(String name) {
        return name.startsWith(HEAP_SPACE) && name.endsWith(".used") && name.contains(".space.");
    }

    private static long sumOfPerfData(long pid, Predicate<String> names) {
        Path file = Path.of(System.getProperty("java.io.tmpdir", "/tmp"), "hsperfdata_"
            + System.getProperty("user.name"), Long.toString(pid));
        try {
            return sumOfLongs(ByteBuffer.wrap(Files.readAllBytes(file)), names);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Parses perf data (HotSpot's {@code perfMemory.hpp}): a prologue (magic, byte order at 4, entry offset at 24,
     * entry count at 28), then entries of {length, name offset, vector length, type, flags, units, variability, data
     * offset}; {@code J} entries hold a long. The sum of those {@code names} accepts; -1 if not perf data.
     */
    static long sumOfLongs(ByteBuffer data, Predicate<String> names) {
        if (data.getInt(0) != PERF_MAGIC) {
            return -1;
        }
        data.order(data.get(4) == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int offset = data.getInt(24);
        int entries = data.getInt(28);
        long sum = 0;
        for (int i = 0; i < entries; i++) {
            int length = data.getInt(offset);
            int nameOffset = data.getInt(offset + 4);
            byte type = data.get(offset + 12);
            int dataOffset = data.getInt(offset + 16);
            if (type == 'J' && names.test(cString(data, offset + nameOffset))) {
                sum += data.getLong(offset + dataOffset);
            }
            offset += length;
        }
        return sum;
    }

    private static String cString(ByteBuffer data, int start) {
        StringBuilder text = new StringBuilder();
        for (int i = start; data.get(i) != 0; i++) {
            text.append((char) data.get(i));
        }
        return text.toString();
    }
}
