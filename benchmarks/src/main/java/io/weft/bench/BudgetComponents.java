package io.weft.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts each CPU sample of {@code perf script -F comm,tid,ip,sym,dso} down to a component of the work of moving bytes,
 * by the function it fell in (its leaf: no call graphs), in the order of {@link #COMPONENTS}: the first that matches
 * wins, so that a copy inside a system call counts as a copy, not as the call.
 */
final class BudgetComponents {
    /** "  iperf3  1234  ffffffff8164f28a copy_user_generic ([kernel.kallsyms])"; a thread's name may hold spaces. */
    private static final Pattern SAMPLE =
        Pattern.compile("^\\s*(.+?)\\s+(\\d+)\\s+([0-9a-f]+)\\s+(.+?)\\s+\\((.*)\\)\\s*$");
    static final String IDLE = "idle";
    static final String KERNEL_DSO = "[kernel.kallsyms]";
    private static final long KERNEL_HALF = 0xffff800000000000L;
    private static final int TOP_SYMBOLS = 8;

    /** A component: a kernel function (by name) or a user-space one (by name or by the object it is in). */
    private record Rule(String component, boolean kernel, Pattern symbol, Pattern dso) {
        boolean matches(boolean inKernel, String sym, String object) {
            return inKernel == kernel && (symbol == null || symbol.matcher(sym).find())
                && (dso == null || dso.matcher(object).find());
        }
    }

    private static final List<Rule> RULES = List.of(
        // The idle loop itself only: scheduler work for busy tasks names "idle" too (select_idle_sibling...).
        kernel(IDLE, "^(do_idle|cpu_idle_poll|default_idle|default_idle_call|arch_cpu_idle|\\w*safe_halt"
            + "|mwait_idle\\w*|intel_idle\\w*|acpi_idle\\w*|poll_idle|cpuidle_enter\\w*|haltpoll\\w*)$"),
        kernel("copies", "copy_user|memcpy|memmove|rep_movs|copy_page|copy_to_iter|copy_from_iter|copyout|copyin"
            + "|copy_to_user|copy_from_user|csum_partial_copy|skb_copy_bits"),
        kernel("checksums", "csum|checksum"),
        kernel("segmentation and coalescing", "gso|gro_|_gro|_segment|tso"),
        kernel("system call entry and exit", "entry_SYSCALL|syscall|do_syscall|exit_to_user|__x64_sys_|^__sys_"
            + "|^ksys_|^vfs_(read|write)$|__fget|fdget|fput|sockfd_lookup|import_iovec|copy_msghdr|rw_verify_area"
            // Speculation mitigations run on the way in and out of the kernel.
            + "|return_thunk|^srso_|untrain_ret|clear_bhb|clear_cpu_buffers"),
        kernel("scheduling and wake-ups", "^(__)?schedule$|^schedule_|preempt_schedule|^sched_|_sched_|switch_to"
            + "|switch_mm|finish_task_switch|pick_next|try_to_wake_up|ttwu|enqueue_task|dequeue_task|enqueue_entity"
            + "|dequeue_entity|update_curr|update_load|yield|wake_up|futex|hrtimer|^tick_|irq_enter|irq_exit|ep_poll"
            + "|epoll|select_task_rq|select_idle|idle_cpu|newidle_balance|sched_balance|native_sched_clock"),
        kernel("sk_buff and memory", "kmem_cache|kmalloc|kfree|__alloc_pages|free_pages|free_unref|page_frag"
            + "|slab|skb_release|kfree_skb|consume_skb|build_skb|alloc_skb|skb_clone|__napi_alloc|get_page_from"
            + "|rmqueue|put_page|__put_page|page_pool|folio|skb_free_head|mem_cgroup|sk_mem|clear_page|memset"),
        kernel("network stack", ""),
        user("Java (compiled code)", null, "perf-\\d+\\.map|^\\[unknown\\]$|^$"),
        user("JVM (runtime, collector, JIT compiler)", null, "libjvm\\.so"),
        user("cryptography", null, "libgcrypt|libcrypto"),
        user("applications and libraries", null, ""));

    private final Map<String, Long> samples = new LinkedHashMap<>();
    private final Map<String, Long> byThread = new LinkedHashMap<>();
    private final Map<String, Map<String, Long>> symbols = new LinkedHashMap<>();
    private long unparsed;

    BudgetComponents() {
        for (Rule rule : RULES) {
            samples.putIfAbsent(rule.component(), 0L);
        }
    }

    /** The components in the order they are tried, {@link #IDLE} first. */
    static List<String> names() {
        return RULES.stream().map(Rule::component).distinct().toList();
    }

    /**
     * The component of one sample. Kernel or user space by its address (x86-64's kernel half): perf names a module's
     * code by the module ({@code [vxlan]}, {@code [tun]}) and may not resolve an address at all. The idle task's
     * samples in softirq work (the network's receive path on an idle CPU) are that work, not idle.
     */
    /** Whether a sample's address is the kernel's: x86-64's upper half, modules included. */
    static boolean inKernel(long ip) {
        return Long.compareUnsigned(ip, KERNEL_HALF) >= 0;
    }

    static String componentOf(long ip, String sym, String dso) {
        boolean kernel = inKernel(ip);
        for (Rule rule : RULES) {
            if (rule.matches(kernel, sym, dso)) {
                return rule.component();
            }
        }
        throw new IllegalStateException("no component for " + sym + " in " + dso); // The last rules match anything.
    }

    /** Counts every sample line of {@code perfScript}; other lines (perf's warnings) are counted as unparsed. */
    BudgetComponents add(String perfScript) {
        for (String line : perfScript.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches()) {
                unparsed++;
                continue;
            }
            String component = componentOf(Long.parseUnsignedLong(sample.group(3), 16), sample.group(4),
                sample.group(5));
            samples.merge(component, 1L, Long::sum);
            symbols.computeIfAbsent(component, c -> new LinkedHashMap<>())
                .merge(sample.group(4) + " (" + sample.group(5) + ")", 1L, Long::sum);
            if (!IDLE.equals(component)) {
                // Threads by name without their numbers: "weft-lane-0" and "weft-lane-1" are one line of the table.
                byThread.merge(sample.group(1).strip().replaceAll("(?<=[-/])\\d+", "#"), 1L, Long::sum);
            }
        }
        return this;
    }

    /** Samples by component, {@link #IDLE} included, in the order of {@link #names()}. */
    Map<String, Long> samples() {
        return samples;
    }

    /** Busy samples by thread name (a number after '-' or '/' as '#'). */
    Map<String, Long> byThread() {
        return byThread;
    }

    /** The functions most samples of each component fell in, with their samples, most first. */
    Map<String, Map<String, Long>> topSymbols() {
        Map<String, Map<String, Long>> top = new LinkedHashMap<>();
        symbols.forEach((component, counts) -> {
            Map<String, Long> most = new LinkedHashMap<>();
            counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(TOP_SYMBOLS)
                .forEach(e -> most.put(e.getKey(), e.getValue()));
            top.put(component, most);
        });
        return top;
    }

    long busy() {
        return samples.entrySet().stream().filter(e -> !IDLE.equals(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }

    long unparsed() {
        return unparsed;
    }

    private static Rule kernel(String component, String symbols) {
        return new Rule(component, true, symbols.isEmpty() ? null : Pattern.compile(symbols), null);
    }

    private static Rule user(String component, String symbols, String objects) {
        return new Rule(component, false, symbols == null ? null : Pattern.compile(symbols),
            objects.isEmpty() ? null : Pattern.compile(objects));
    }
}
