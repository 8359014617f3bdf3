package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Samples as {@code perf script -F comm,pid,tid,ip,sym,dso} prints them from {@code perf record -a -g}. */
class WeftdCpuSplitTest {
    private static final String SCRIPT = String.join("\n",
        "weft-lane-0  9668/9909 ",
        "\tffffffff8170e7a1 fdget_pos ([kernel.kallsyms])",
        "\tffffffff816dc948 ksys_read ([kernel.kallsyms])",
        "\tffffffff81e9c3a0 do_syscall_64 ([kernel.kallsyms])",
        "\t    7f2a1c0b4c0 read (/usr/lib/x86_64-linux-gnu/libc.so.6)",
        "",
        "weft-lane-1  9668/9910 ",
        "\tffffffff81c2a0b1 ip_forward+0x1a ([kernel.kallsyms])",
        "\tffffffff81bf00aa __netif_receive_skb_one_core+0x5a ([kernel.kallsyms])",
        "\tffffffff81bf0100 netif_receive_skb ([kernel.kallsyms])",
        "\tffffffff81a10000 tun_get_user ([kernel.kallsyms])",
        "\tffffffff816dc9a0 ksys_write ([kernel.kallsyms])",
        "",
        "weft-lane-0  9668/9909 ",
        "\tffffffff81e1d0f0 finish_task_switch.isra.0 ([kernel.kallsyms])",
        "\tffffffff81e1d200 __schedule ([kernel.kallsyms])",
        "\tffffffff81e1d300 schedule_hrtimeout_range_clock ([kernel.kallsyms])",
        "\tffffffff8172a000 do_epoll_wait ([kernel.kallsyms])",
        "",
        "weft-lane-0  9668/9909 ",
        "\t    7f2a1c0b4c0 [unknown] ([unknown])",
        "\t    7f2a1c0b400 [unknown] ([unknown])",
        "",
        "weft-lane-1  9668/9910 ",
        "\tffffffff81b00000 sock_def_readable ([kernel.kallsyms])",
        "\tffffffff81b00100 __udp_enqueue_schedule_skb ([kernel.kallsyms])",
        "\tffffffff81b00200 process_backlog ([kernel.kallsyms])",
        "\tffffffff81b00300 __do_softirq ([kernel.kallsyms])",
        "\tffffffff81b00400 __sys_sendmmsg ([kernel.kallsyms])",
        "",
        "            ping  7001/7001 ",
        "\tffffffff81b00300 __do_softirq ([kernel.kallsyms])",
        "");

    /** The ping's sample at the end is another process's and counts nowhere. */
    @Test
    void shouldChargeWhatIsUnderTheKernelsReceiveToDeliveryAndTheRestToWeftd() {
        WeftdCpuSplit split = new WeftdCpuSplit(Set.of(9668L)).add(SCRIPT);

        assertThat(split.samples()).containsEntry(WeftdCpuSplit.OWN_KERNEL, 1L)
            .containsEntry(WeftdCpuSplit.DELIVERY, 2L).containsEntry(WeftdCpuSplit.SCHEDULER, 1L)
            .containsEntry(WeftdCpuSplit.USER, 1L);
    }

    /** The scheduler counts as blocking within 8 frames of the leaf, and beyond as the call's own work. */
    @Test
    void shouldCountASchedulerCallFarFromTheLeafAsTheCallsOwnWork() {
        assertThat(kindOfOneSample(schedulerBelow(7))).isEqualTo(WeftdCpuSplit.SCHEDULER);
        assertThat(kindOfOneSample(schedulerBelow(8))).isEqualTo(WeftdCpuSplit.OWN_KERNEL);
    }

    private static String[] schedulerBelow(int frames) {
        String[] chain = new String[frames + 1];
        for (int i = 0; i < frames; i++) {
            chain[i] = "\tffffffff81000000 leaf_" + i + " ([kernel.kallsyms])";
        }
        chain[frames] = "\tffffffff81e1d200 __schedule ([kernel.kallsyms])";
        return chain;
    }

    /**
     * perf names module code after its module (the address says it is the kernel's); a timer's softirq interrupting a
     * system call is no packet's delivery.
     */
    @Test
    void shouldCountModulesAndOtherSoftirqsAsWeftdsOwnSystemCalls() {
        assertThat(kindOfOneSample("\tffffffffc0a1b2c3 tun_chr_write_iter ([tun])"))
            .isEqualTo(WeftdCpuSplit.OWN_KERNEL);
        assertThat(kindOfOneSample("\tffffffff81100000 run_timer_softirq ([kernel.kallsyms])",
            "\tffffffff81100100 handle_softirqs ([kernel.kallsyms])",
            "\tffffffff81100200 __do_softirq ([kernel.kallsyms])")).isEqualTo(WeftdCpuSplit.OWN_KERNEL);
    }

    /** The kind of one sample of a lane thread: these frames over a write system call. */
    private static String kindOfOneSample(String... frames) {
        String script = "weft-lane-0  9668/9909 \n" + String.join("\n", frames)
            + "\n\tffffffff816dc9a0 ksys_write ([kernel.kallsyms])\n";
        Map<String, Long> samples = new WeftdCpuSplit(Set.of(9668L)).add(script).samples();
        assertThat(samples.values().stream().mapToLong(Long::longValue).sum()).as("samples").isEqualTo(1);
        return samples.entrySet().stream().filter(kind -> kind.getValue() == 1).findFirst().orElseThrow().getKey();
    }

    @Test
    void shouldCountLinesThatAreNoSamplesAndKeepGoing() {
        WeftdCpuSplit split = new WeftdCpuSplit(Set.of(9668L)).add("Warning: 3 samples lost\n" + SCRIPT);

        assertThat(split.unparsed()).isEqualTo(1);
        assertThat(split.samples()).containsEntry(WeftdCpuSplit.DELIVERY, 2L);
    }
}
