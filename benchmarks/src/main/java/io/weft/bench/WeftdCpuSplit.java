package io.weft.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits weftd's CPU samples, with their call chains ({@code perf record -a -g}, then {@code perf script -F
 * comm,pid,tid,ip,sym,dso}), by whose work they are; samples of other processes are left out. A TUN write or a UDP
 * send runs the kernel's delivery of the packet (through the bridge to the pod, into the pod's socket, or into the
 * peer node's socket on this one machine) in the writer's system call, so that work is charged to weftd although it
 * is the pod's or the peer's: kernel VXLAN does the same work in softirq, charged to no process. Each sample goes to
 * the first that matches: code outside the kernel; delivery past the device (anything under the kernel's receive of a
 * packet); blocked and woken (the scheduler near the leaf); the rest of the kernel, weftd's own system calls.
 */
final class WeftdCpuSplit {
    static final String USER = "user space (Java, JVM, libraries)";
    static final String DELIVERY = "delivery past the device, inside weftd's system calls";
    static final String SCHEDULER = "blocked and woken (scheduler)";
    static final String OWN_KERNEL = "weftd's own system calls";
    /** A frame: "ffffffff8170e7a1 fdget_pos ([kernel.kallsyms])", its address first. */
    private static final Pattern FRAME_ADDRESS = Pattern.compile("^\\s*([0-9a-f]+)\\s");
    /** A sample's first line: "weft-lane-0  9668/9909 ", the thread's name (which may hold spaces), pid/tid. */
    private static final Pattern HEADER = Pattern.compile("\\s(\\d+)/\\d+\\s*$");
    private static final Pattern RECEIVE = Pattern.compile(
        " (netif_receive_skb\\w*|__netif_receive_skb\\w*|process_backlog|net_rx_action)(\\+0x[0-9a-f]+)? ");
    private static final Pattern SCHEDULE = Pattern.compile(
        " (__schedule|schedule|schedule_hrtimeout\\w*|finish_task_switch\\S*)(\\+0x[0-9a-f]+)? ");
    /** How near the leaf the scheduler must be for a sample to count as blocking rather than as a call's work. */
    private static final int SCHEDULER_DEPTH = 8;

    private final Set<Long> pids;
    private final Map<String, Long> samples = new LinkedHashMap<>();
    private long unparsed;

    /** @param pids the weftds' process ids */
    WeftdCpuSplit(Set<Long> pids) {
        this.pids = Set.copyOf(pids);
        for (String kind : List.of(USER, DELIVERY, SCHEDULER, OWN_KERNEL)) {
            samples.put(kind, 0L);
        }
    }

    /** Takes {@code perf script}'s output: per sample a line naming the thread, then its frames (tab first). */
    WeftdCpuSplit add(String script) {
        List<String> frames = new ArrayList<>();
        boolean inSample = false;
        for (String line : (script + "\n\n").split("\n", -1)) {
            if (line.isBlank()) {
                if (inSample && !frames.isEmpty()) {
                    samples.merge(kind(frames), 1L, Long::sum);
                }
                frames.clear();
                inSample = false;
            } else if (line.charAt(0) == '\t') { // a frame; a thread's name may begin with spaces
                if (inSample) {
                    frames.add(" " + line.strip() + " ");
                }
            } else {
                Matcher header = HEADER.matcher(line);
                boolean isHeader = header.find();
                if (!isHeader) {
                    unparsed++; // not a sample's first line: one of perf's warnings
                }
                inSample = isHeader && pids.contains(Long.parseLong(header.group(1)));
            }
        }
        return this;
    }

    private static String kind(List<String> frames) {
        // By address, as the cycle budget does: perf names a module's code (tun, veth, bridge) by the module.
        Matcher leaf = FRAME_ADDRESS.matcher(frames.get(0));
        if (!leaf.find() || !BudgetComponents.inKernel(Long.parseUnsignedLong(leaf.group(1), 16))) {
            return USER;
        }
        if (frames.stream().anyMatch(frame -> RECEIVE.matcher(frame).find())) {
            return DELIVERY;
        }
        if (frames.stream().limit(SCHEDULER_DEPTH).anyMatch(frame -> SCHEDULE.matcher(frame).find())) {
            return SCHEDULER;
        }
        return OWN_KERNEL;
    }

    /** Each kind's samples, in the order of the class comment. */
    Map<String, Long> samples() {
        return new LinkedHashMap<>(samples);
    }

    /** Lines that were neither a sample's first line nor one of its frames. */
    long unparsed() {
        return unparsed;
    }
}
