package io.weft.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class NicenessTest {
    @Test
    void shouldLowerOnlyTheCallingThreadAndWhatItStarts() throws Exception {
        final int before = niceOf(Files.readString(Path.of("/proc/thread-self/stat")));
        assumeTrue(before < Niceness.LOWEST, "the tests run at nice " + before + " already: nothing lower to set");
        final int lowered = Math.min(before + 5, Niceness.LOWEST);
        final CompletableFuture<int[]> seen = new CompletableFuture<>();
        final Thread housekeeping = new Thread(() -> {
            try {
                Niceness.setForCallingThread(lowered);
                seen.complete(new int[] {niceOf(Files.readString(Path.of("/proc/thread-self/stat"))),
                    niceOf(statOfNewProcess())});
            } catch (final Exception e) {
                seen.completeExceptionally(e);
            }
        });
        housekeeping.start();
        final int[] nice = seen.get(30, TimeUnit.SECONDS);

        assertThat(nice[0]).as("the thread that asked").isEqualTo(lowered);
        assertThat(nice[1]).as("a process it started").isEqualTo(lowered);
        assertThat(niceOf(Files.readString(Path.of("/proc/thread-self/stat")))).as("another thread").isEqualTo(before);
        assertThat(niceOf(statOfNewProcess())).as("a process another thread started").isEqualTo(before);
    }

    @Test
    void shouldRefuseWhatIsNoNiceValue() {
        assertThatThrownBy(() -> Niceness.setForCallingThread(20)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("-20 to 19");
    }

    private static String statOfNewProcess() throws IOException, InterruptedException {
        final Process cat = new ProcessBuilder("cat", "/proc/self/stat").start();
        final String stat = new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(cat.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return stat;
    }

    /** proc(5): the nice value is field 19, the 17th after the command name's closing parenthesis. */
    private static int niceOf(final String stat) {
        return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ")[16]);
    }
}
