package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cycle budget's attribution of perf samples (lines as {@code perf script -F comm,tid,ip,sym,dso} prints them). */
class BudgetComponentsTest {
    private static final long KERNEL = 0xffffffff8164f28aL;
    private static final long USER = 0x7fe3e10cb4c0L;
    private static final String SCRIPT = String.join("\n",
        "          iperf3  2613  ffffffff8164f28a copy_user_enhanced_fast_string ([kernel.kallsyms])",
        "     weft-lane-0  1701  ffffffff81a0c3b1 csum_partial ([kernel.kallsyms])",
        "     weft-lane-1  1702  ffffffff81a0c3b1 __udp_gso_segment ([kernel.kallsyms])",
        "     weft-lane-0  1701  ffffffff81a00010 entry_SYSCALL_64_after_hwframe ([kernel.kallsyms])",
        "     weft-lane-0  1701  ffffffff81a00010 __schedule ([kernel.kallsyms])",
        "     weft-lane-0  1701  ffffffff81a00010 kmem_cache_alloc_node ([kernel.kallsyms])",
        "     ksoftirqd/0    14  ffffffff81a00010 tcp_v4_rcv ([kernel.kallsyms])",
        "     weft-lane-0  1701      7fe3e10cb4c0 [unknown] (/tmp/perf-1642.map)",
        " C2 CompilerThre  1676      7fe3f83c07b4 Compile::find_alias_type (/usr/lib/jvm/java-17/lib/server/libjvm.so)",
        "     weft-lane-0  1701      7fe3f83c07b4 _gcry_ghash_intel_pclmul (/usr/lib/libgcrypt.so.20)",
        "          iperf3  2613      7fe3f83c07b4 __memcpy_avx_unaligned_erms (/usr/lib/x86_64-linux-gnu/libc.so.6)",
        "       swapper/1     0  ffffffff81a00010 pv_native_safe_halt ([kernel.kallsyms])",
        "       swapper/0     0  ffffffff81a00010 default_idle_call ([kernel.kallsyms])",
        "Warning: some samples were lost",
        "");

    @Test
    void shouldPutEachSampleDownToItsComponentFirstMatchWinning() {
        BudgetComponents budget = new BudgetComponents().add(SCRIPT);

        Map<String, Long> samples = budget.samples();
        assertThat(samples).containsEntry("copies", 1L).containsEntry("checksums", 1L)
            .containsEntry("segmentation and coalescing", 1L).containsEntry("system call entry and exit", 1L)
            .containsEntry("scheduling and wake-ups", 1L).containsEntry("sk_buff and memory", 1L)
            .containsEntry("network stack", 1L).containsEntry("Java (compiled code)", 1L)
            .containsEntry("JVM (runtime, collector, JIT compiler)", 1L).containsEntry("cryptography", 1L)
            .containsEntry("applications and libraries", 1L).containsEntry(BudgetComponents.IDLE, 2L);
        assertThat(budget.busy()).isEqualTo(11);
        assertThat(budget.unparsed()).isEqualTo(1);
        assertThat(budget.byThread()).containsEntry("weft-lane-#", 7L).containsEntry("iperf3", 2L)
            .containsEntry("ksoftirqd/#", 1L).containsEntry("C2 CompilerThre", 1L).doesNotContainKey("swapper/#");
    }

    @Test
    void shouldCountAUserSpaceCopyInItsProgramNotAsTheKernelsCopies() {
        assertThat(BudgetComponents.componentOf(USER, "__memcpy_avx_unaligned_erms", "/usr/lib/libc.so.6"))
            .isEqualTo("applications and libraries");
        assertThat(BudgetComponents.componentOf(KERNEL, "_copy_to_iter", BudgetComponents.KERNEL_DSO))
            .isEqualTo("copies");
    }

    @Test
    void shouldTellKernelFromUserByAddressNotByTheObjectsName() {
        assertThat(BudgetComponents.componentOf(KERNEL, "vxlan_xmit_one", "[vxlan]")).isEqualTo("network stack");
        assertThat(BudgetComponents.componentOf(KERNEL, "[unknown]", "[unknown]")).isEqualTo("network stack");
        assertThat(BudgetComponents.componentOf(USER, "[unknown]", "[unknown]")).isEqualTo("Java (compiled code)");
    }

    @Test
    void shouldCountOnlyTheIdleLoopAsIdle() {
        BudgetComponents budget = new BudgetComponents().add(String.join("\n",
            "       swapper/0     0  ffffffff81a00010 net_rx_action ([kernel.kallsyms])",
            "          iperf3  2613  ffffffff81a00010 select_idle_sibling ([kernel.kallsyms])",
            "          iperf3  2613  ffffffff81a00010 __sk_mem_schedule ([kernel.kallsyms])",
            "     weft-lane-0  1701  ffffffff81a00010 __napi_schedule ([kernel.kallsyms])",
            "       swapper/1     0  ffffffff81a00010 pv_native_safe_halt ([kernel.kallsyms])"));

        assertThat(budget.samples()).containsEntry("network stack", 2L).containsEntry("scheduling and wake-ups", 1L)
            .containsEntry("sk_buff and memory", 1L).containsEntry(BudgetComponents.IDLE, 1L);
        assertThat(budget.byThread()).containsEntry("swapper/#", 1L);
        assertThat(budget.topSymbols().get("network stack"))
            .containsExactly(Map.entry("net_rx_action ([kernel.kallsyms])", 1L),
                Map.entry("__napi_schedule ([kernel.kallsyms])", 1L));
    }

    @Test
    void shouldGiveCoreSecondsPerGigabyteLargestFirstWithoutIdle() {
        Map<String, Double> perGb = CycleBudget.perGigabyte(Map.of("idle", 5000L, "copies", 1000L, "checksums", 3000L),
            1000, 2.0);
        assertThat(perGb).containsExactly(Map.entry("checksums", 1.5), Map.entry("copies", 0.5));
    }

    @Test
    void shouldTabulateTheMedianOfRoundsAndTheRatioToTheFirstVariant() {
        List<Map<String, Object>> results = List.of(
            Map.of("variant", "vxlan", "round", 1, "busyCoreSecondsPerGB", 1.0, "coreSecondsPerGB",
                Map.of("copies", 0.2, "network stack", 0.8)),
            Map.of("variant", "weft", "round", 1, "busyCoreSecondsPerGB", 3.0, "coreSecondsPerGB",
                Map.of("copies", 0.6, "Java (compiled code)", 0.5)),
            Map.of("variant", "weft", "round", 2, "busyCoreSecondsPerGB", 2.0, "coreSecondsPerGB",
                Map.of("copies", 0.4, "Java (compiled code)", 0.3)),
            Map.of("variant", "weft", "round", 3, "error", "a failed round is left out"));

        String table = CycleBudget.table(results, List.of(Variant.VXLAN, Variant.WEFT));

        assertThat(table).startsWith("| core-seconds per GB (median of rounds) | vxlan | weft | weft / vxlan |")
            .contains("| copies | 0.200 | 0.500 | 2.5x |")
            .contains("| Java (compiled code) | 0.000 | 0.400 | - |")
            .contains("| **all busy time** | 1.000 | 2.500 | 2.5x |");
    }
}
