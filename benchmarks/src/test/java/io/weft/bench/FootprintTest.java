package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FootprintTest {

    @Test
    void shouldTakeTheFirstReplyAfterTheLaunchFromPingsTimestampedOutput() {
        String output = String.join("\n",
            "PING 10.244.2.2 (10.244.2.2) 56(84) bytes of data.",
            "[1733444000.900000] 64 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=0.3 ms",
            "[1733444001.250000] From 10.244.1.1 icmp_seq=40 Destination Host Unreachable",
            "[1733444001.412345] 64 bytes from 10.244.2.2: icmp_seq=52 ttl=62 time=0.4 ms",
            "[1733444001.500000] 64 bytes from 10.244.2.2: icmp_seq=53 ttl=62 time=0.4 ms");

        assertThat(Footprint.firstReplyAfter(output, 1_733_444_001_000_000L)).contains(1_733_444_001_412_345L);
        assertThat(Footprint.firstReplyAfter(output, 1_733_444_002_000_000L)).isEmpty();
    }

    @Test
    void shouldSplitTheStartIntoTheJvmTheSetUpStepsWeftdLoggedAndTheFirstReply() {
        String log = String.join("\n",
            "2026-12-06T19:47:14.250Z weftd INFO weftd 0.1.0 starting",
            "2026-12-06T19:47:14.300Z weftd INFO lease 10.244.1.0/24 (lease 7), authentication off",
            "2026-12-06T19:47:14.610Z weftd INFO forwarding 10.244.0.0/16 over UDP port 8285 on flannel0: 1 lane(s)"
                + " of batch 64, offloads off (--offload=off), idle backoff (polls 300 us); set up in 360 ms"
                + " (underlay 3, registry 40, metrics 2, iptables 300, metrics 15)");
        long launched = 1_796_586_434_000_000L; // 2026-12-06T19:47:14Z

        assertThat(Footprint.startSteps(log, launched, launched + 640_000)).containsExactly(
            java.util.Map.entry("jvmAndFlags", 250L), java.util.Map.entry("underlay", 3L),
            java.util.Map.entry("registry", 40L), java.util.Map.entry("metrics", 17L),
            java.util.Map.entry("iptables", 300L), java.util.Map.entry("firstReply", 30L));
        assertThat(Footprint.startSteps("2026-12-06T19:47:14.250Z weftd INFO weftd 0.1.0 starting", launched,
            launched + 640_000)).isEmpty();
    }

    @Test
    void shouldTakeTheMiddleStartOrTheUpperOfTheMiddleTwo() {
        assertThat(Footprint.medianStartMs(List.of(Map.of("startToForwardingMs", 900L),
            Map.of("startToForwardingMs", 700L), Map.of("startToForwardingMs", 800L)))).isEqualTo(800);
        assertThat(Footprint.medianStartMs(List.of(Map.of("startToForwardingMs", 900L),
            Map.of("startToForwardingMs", 700L)))).isEqualTo(900);
    }

    @Test
    void shouldReadCommittedMemoryByCategoryFromNativeMemoryTracking() {
        String summary = String.join("\n", "12345:", "", "Native Memory Tracking:", "",
            "Total: reserved=1744582KB, committed=130219KB",
            "-                 Java Heap (reserved=262144KB, committed=16384KB)",
            "                            (mmap: reserved=262144KB, committed=16384KB) ",
            "-                     Class (reserved=1056137KB, committed=8457KB)",
            "-                        GC (reserved=1027KB, committed=227KB)");

        assertThat(Footprint.nativeMemory(summary)).containsExactly(java.util.Map.entry("Total", 130219L),
            java.util.Map.entry("Java Heap", 16384L), java.util.Map.entry("Class", 8457L),
            java.util.Map.entry("GC", 227L));
    }

    @Test
    void shouldPutTheOptionsAfterTheShippedOnesSoTheyOverrideThem() {
        assertThat(Footprint.withJvmOptions(List.of("java", "@/w/weftd.jvm", "-jar", "/w/weftd.jar", "--ip-masq"),
            List.of("-XX:+UseG1GC", "-Xmx256m")))
            .containsExactly("java", "@/w/weftd.jvm", "-XX:+UseG1GC", "-Xmx256m", "-jar", "/w/weftd.jar",
                "--ip-masq");
        assertThat(Footprint.withJvmOptions(List.of("java", "@/w/weftd.jvm", "-jar", "/w/weftd.jar"),
            List.of("MALLOC_ARENA_MAX=2", "-XX:+UseSerialGC", "weftd:--idle=block")))
            .containsExactly("env", "MALLOC_ARENA_MAX=2", "java", "@/w/weftd.jvm", "-XX:+UseSerialGC", "-jar",
                "/w/weftd.jar");
        assertThat(Footprint.weftdArgs(List.of("MALLOC_ARENA_MAX=2", "weftd:--idle=block", "-Xmx64m")))
            .containsExactly("--idle=block");
    }
}
