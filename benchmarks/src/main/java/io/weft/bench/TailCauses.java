package io.weft.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Why slow echo replies were slow: for each, what held the two nodes' CPUs while it was in flight, other than its own
 * path (the lanes, ping) and idleness (a CPU waiting for a packet or a wake-up). The cause of a slow reply is what
 * held a CPU longest during it, if that was at least {@link #MIN_SHARE} of its time; otherwise there is none to name:
 * the time went into the path itself, the kernel's work (which the trace does not split out) or wake-ups.
 */
final class TailCauses {
    static final String NONE = "none: CPUs idle or on the path (wake-ups, the kernel's own work)";
    /** A cause must have held a CPU for at least this share of the reply's time. */
    static final double MIN_SHARE = 0.25;
    private static final Set<String> STARTED_PROCESSES = Set.of("jspawnhelper", "iptables", "iptables-nft",
        "iptables-legacy", "xtables-nft-multi", "xtables-legacy-multi", "iptables-save", "iptables-restore");

    /** One reply: when it came (the trace's clock, microseconds) and its round trip. */
    record Reply(long atUs, long rttUs) {
    }

    /** How many slow replies a cause was the cause of, and how long it held a CPU during slow replies in all. */
    record Cause(int slowReplies, double heldMs) {
    }

    private TailCauses() {
    }

    /**
     * The causes of the replies slower than {@code slowUs}, most frequent first, and {@link #NONE}'s count; stretches
     * on CPUs outside {@code cpus} and replies outside the trace are left out.
     */
    static Map<String, Cause> of(List<Reply> replies, List<SchedSwitches.Held> held, Set<Integer> cpus,
        Set<Long> weftdPids, long slowUs) {
        long traceStart = held.stream().mapToLong(SchedSwitches.Held::startUs).min().orElse(Long.MAX_VALUE);
        long traceEnd = held.stream().mapToLong(SchedSwitches.Held::endUs).max().orElse(Long.MIN_VALUE);
        Map<String, Integer> counts = new HashMap<>();
        Map<String, Double> heldMs = new HashMap<>();
        for (Reply reply : replies) {
            long from = reply.atUs() - reply.rttUs();
            if (reply.rttUs() < slowUs || from < traceStart || reply.atUs() > traceEnd) {
                continue;
            }
            Map<String, Long> during = new HashMap<>();
            for (SchedSwitches.Held stretch : held) {
                long overlap = Math.min(stretch.endUs(), reply.atUs()) - Math.max(stretch.startUs(), from);
                String cause = cause(stretch, weftdPids);
                if (overlap > 0 && cpus.contains(stretch.cpu()) && cause != null) {
                    during.merge(cause, overlap, Long::sum);
                }
            }
            during.forEach((cause, us) -> heldMs.merge(cause, us / 1000.0, Double::sum));
            String main = during.entrySet().stream().max(Map.Entry.comparingByValue())
                .filter(longest -> longest.getValue() >= MIN_SHARE * reply.rttUs()).map(Map.Entry::getKey)
                .orElse(NONE);
            counts.merge(main, 1, Integer::sum);
        }
        List<String> names = new ArrayList<>(counts.keySet());
        heldMs.keySet().stream().filter(name -> !counts.containsKey(name)).forEach(names::add);
        names.sort(Comparator.comparing((String name) -> -counts.getOrDefault(name, 0))
            .thenComparing(name -> -heldMs.getOrDefault(name, 0.0)));
        Map<String, Cause> causes = new LinkedHashMap<>();
        for (String name : names) {
            causes.put(name, new Cause(counts.getOrDefault(name, 0), heldMs.getOrDefault(name, 0.0)));
        }
        return causes;
    }

    /** What a stretch is, as a cause; null for the reply's own path and for an idle CPU. */
    static String cause(SchedSwitches.Held stretch, Set<Long> weftdPids) {
        String comm = stretch.comm();
        if (comm.startsWith("swapper") || comm.startsWith("weft-lane-") || "ping".equals(comm)) {
            return null;
        }
        if (weftdPids.contains(stretch.pid())) {
            if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                return "weftd: JIT compiler";
            }
            return "weftd: " + withoutNumber(comm);
        }
        if (STARTED_PROCESSES.contains(comm)) {
            return "processes started (weftd's iptables check)";
        }
        return "other: " + withoutNumber(comm);
    }

    /** "kworker/u8:0-kv", "ksoftirqd/0" and "GC Thread#0" as "kworker", "ksoftirqd" and "GC Thread". */
    static String withoutNumber(String comm) {
        int slash = comm.indexOf('/');
        String name = (slash > 0 ? comm.substring(0, slash) : comm).replaceAll("[#.:\\-]?[0-9]+$", "");
        return name.isEmpty() ? comm : name;
    }
}
