package io.weft.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class SchedulingPolicyTest {

    @Test
    void shouldPutTheNamedThreadAndTheThreadsItStartsUnderSchedIdleAndNoOther() throws Exception {
        final int ours = policyOf(Path.of("/proc/thread-self"));
        final CompletableFuture<Integer> tid = new CompletableFuture<>();
        final CountDownLatch moved = new CountDownLatch(1);
        final CompletableFuture<Integer> childPolicy = new CompletableFuture<>();
        final Thread thread = new Thread(() -> {
            try {
                tid.complete(ownTid());
                assertThat(moved.await(30, TimeUnit.SECONDS)).isTrue();
                final Thread child = new Thread(() -> childPolicy.complete(policyOf(Path.of("/proc/thread-self"))));
                child.start();
                child.join();
            } catch (Exception | AssertionError e) {
                childPolicy.completeExceptionally(e);
            }
        });
        thread.start();
        try {
            SchedulingPolicy.idle(tid.get(30, TimeUnit.SECONDS));
            assertThat(policyOf(Path.of("/proc/self/task", tid.get().toString()))).as("the thread named")
                .isEqualTo(SchedulingPolicy.SCHED_IDLE);
        } finally {
            moved.countDown();
        }

        assertThat(childPolicy.get(30, TimeUnit.SECONDS)).as("a thread it started")
            .isEqualTo(SchedulingPolicy.SCHED_IDLE);
        assertThat(policyOf(Path.of("/proc/thread-self"))).as("the thread that asked").isEqualTo(ours)
            .isNotEqualTo(SchedulingPolicy.SCHED_IDLE);
        thread.join();
    }

    @Test
    void shouldPutAThreadBackUnderTheNormalPolicy() throws Exception {
        assumeTrue(SchedulingPolicy.canLeaveIdle(), "without CAP_SYS_NICE or an RLIMIT_NICE of 20 no thread may leave"
            + " SCHED_IDLE");
        final CompletableFuture<Integer> tid = new CompletableFuture<>();
        final CountDownLatch done = new CountDownLatch(1);
        final Thread thread = new Thread(() -> {
            try {
                tid.complete(ownTid());
                done.await(30, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                tid.completeExceptionally(e);
            }
        });
        thread.start();
        try {
            final Path task = Path.of("/proc/self/task", tid.get(30, TimeUnit.SECONDS).toString());
            SchedulingPolicy.idle(tid.get());
            assertThat(policyOf(task)).isEqualTo(SchedulingPolicy.SCHED_IDLE);
            SchedulingPolicy.normal(tid.get());
            assertThat(policyOf(task)).isEqualTo(SchedulingPolicy.SCHED_OTHER);
        } finally {
            done.countDown();
        }
        thread.join();
    }

    @Test
    void shouldTellWhetherAThreadMayLeaveSchedIdleAsCapSysNiceMay() throws IOException {
        assumeTrue(hasCapSysNice(), "the tests lack CAP_SYS_NICE: whether they may is up to their RLIMIT_NICE");
        assertThat(SchedulingPolicy.canLeaveIdle()).isTrue();
    }

    /** capabilities(7): CAP_SYS_NICE is bit 23 of the effective set, which /proc/self/status shows in hex. */
    private static boolean hasCapSysNice() throws IOException {
        final String capEff = Files.readAllLines(Path.of("/proc/self/status")).stream()
            .filter(line -> line.startsWith("CapEff:")).findFirst().orElseThrow().substring(7).strip();
        return (Long.parseUnsignedLong(capEff, 16) & (1L << 23)) != 0;
    }

    @Test
    void shouldNameTheThreadTheKernelDidNotFind() {
        assertThatThrownBy(() -> SchedulingPolicy.idle(Integer.MAX_VALUE)).isInstanceOf(NativeException.class)
            .hasMessageContaining("sched_setscheduler(" + Integer.MAX_VALUE + ", SCHED_IDLE)");
    }

    /** /proc/thread-self links to "PID/task/TID". */
    private static int ownTid() throws IOException {
        return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    }

    /** proc(5): the policy is field 41, the 39th after the command name's closing parenthesis. */
    private static int policyOf(final Path task) {
        try {
            final String stat = Files.readString(task.resolve("stat"));
            return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ")[38]);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
