package io.weft.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class IdlePolicyTest {

    @Test
    void shouldPutTheNamedThreadAndTheThreadsItStartsUnderSchedIdleAndNoOther() throws Exception {
        final CompletableFuture<int[]> seen = new CompletableFuture<>();
        final Thread thread = new Thread(() -> {
            try {
                IdlePolicy.set(ownTid());
                final CompletableFuture<Integer> child = new CompletableFuture<>();
                final Thread started = new Thread(() -> child.complete(policyOf("thread-self")));
                started.start();
                seen.complete(new int[] {policyOf("thread-self"), child.get(30, TimeUnit.SECONDS)});
            } catch (Exception | AssertionError e) {
                seen.completeExceptionally(e);
            }
        });
        thread.start();
        final int[] policy = seen.get(30, TimeUnit.SECONDS);

        assertThat(policy[0]).as("the thread named").isEqualTo(IdlePolicy.SCHED_IDLE);
        assertThat(policy[1]).as("a thread it started").isEqualTo(IdlePolicy.SCHED_IDLE);
        assertThat(policyOf("thread-self")).as("another thread").isZero();
    }

    @Test
    void shouldNameTheThreadTheKernelDidNotFind() {
        assertThatThrownBy(() -> IdlePolicy.set(Integer.MAX_VALUE)).isInstanceOf(NativeException.class)
            .hasMessageContaining("sched_setscheduler(" + Integer.MAX_VALUE + ", SCHED_IDLE)");
    }

    /** /proc/thread-self links to "PID/task/TID". */
    private static int ownTid() throws IOException {
        return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    }

    /** proc(5): the policy is field 41, the 39th after the command name's closing parenthesis. */
    private static int policyOf(final String procEntry) {
        try {
            final String stat = Files.readString(Path.of("/proc", procEntry, "stat"));
            return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ")[38]);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
