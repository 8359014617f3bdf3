package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.tun.NativeException;
import io.weft.tun.SchedulingPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JitThreadsTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final List<String> moves = new ArrayList<>();
    private long now = 1_000 * SECOND;
    private int refuse = -1;

    @Test
    void shouldFindHotspotsCompilerThreadsByTheirNamesAsTheKernelCutsThem(@TempDir final Path tasks)
        throws IOException {
        thread(tasks, 101, "java");
        thread(tasks, 102, "C2 CompilerThre");
        thread(tasks, 103, "C1 CompilerThre");
        thread(tasks, 104, "weft-lane-0");
        thread(tasks, 105, "VM Thread");
        // Ended between the listing and the read of its name.
        Files.createDirectory(tasks.resolve("106"));

        assertThat(JitThreads.compilerThreads(tasks)).containsExactlyInAnyOrder(102, 103);
    }

    @Test
    void shouldFindThisJvmsOwn() {
        assertThat(JitThreads.compilerThreads(Path.of("/proc/self/task"))).isNotEmpty();
    }

    @Test
    void shouldMoveTheCompilersToIdleAndBackToNormalWhileStarvedUntilTheyHaveCompiledWhatTheyHold(
        @TempDir final Path tasks) throws IOException {
        thread(tasks, 7, "java");
        thread(tasks, 8, "C2 CompilerThre");
        thread(tasks, 9, "C1 CompilerThre");
        schedstat(tasks, 8, 0, MS);
        schedstat(tasks, 9, 0, MS);
        final JitThreads threads = watching(tasks);
        assertThat(moves).containsExactlyInAnyOrder("idle 8", "idle 9");
        moves.clear();

        // A second: 8 waited 300 ms for a CPU (starved), 9 waited 100 ms (not).
        now += SECOND;
        schedstat(tasks, 8, 50 * MS, 300 * MS);
        schedstat(tasks, 9, 50 * MS, 100 * MS);
        threads.tend();
        assertThat(moves).containsExactly("normal 8");
        moves.clear();

        // Under the normal policy it compiles, contended: 400 ms on a CPU, 300 waiting for one; then nearly nothing.
        now += SECOND;
        schedstat(tasks, 8, 450 * MS, 600 * MS);
        threads.tend();
        assertThat(moves).isEmpty();
        now += SECOND;
        schedstat(tasks, 8, 455 * MS, 1_200 * MS);
        threads.tend();
        assertThat(moves).as("done: idle again, however long it waited").containsExactly("idle 8");
    }

    @Test
    void shouldMoveACompilerBackToIdleOnceItsCpuIsNoLongerContended(@TempDir final Path tasks) throws IOException {
        thread(tasks, 8, "C2 CompilerThre");
        schedstat(tasks, 8, 0, MS);
        final JitThreads threads = watching(tasks);
        now += SECOND;
        schedstat(tasks, 8, 100 * MS, 500 * MS);
        threads.tend();
        moves.clear();

        // Compiling on, 600 ms of the second, but it waited only 40 ms for its CPU.
        now += SECOND;
        schedstat(tasks, 8, 700 * MS, 540 * MS);
        threads.tend();
        assertThat(moves).containsExactly("idle 8");
    }

    @Test
    void shouldForgetAThreadThatEnded(@TempDir final Path tasks) throws IOException {
        thread(tasks, 8, "C2 CompilerThre");
        schedstat(tasks, 8, 0, MS);
        final JitThreads threads = watching(tasks);
        moves.clear();
        Files.delete(tasks.resolve("8").resolve("schedstat"));
        Files.delete(tasks.resolve("8").resolve("comm"));
        Files.delete(tasks.resolve("8"));
        // Another with its id, which is not ours to move.
        thread(tasks, 8, "weft-lane-0");
        schedstat(tasks, 8, 0, SECOND);

        now += SECOND;
        threads.tend();
        now += SECOND;
        threads.tend();
        assertThat(moves).isEmpty();
    }

    @Test
    void shouldDecideNothingOnALookTooShortToTell(@TempDir final Path tasks) throws IOException {
        thread(tasks, 8, "C2 CompilerThre");
        schedstat(tasks, 8, 0, MS);
        final JitThreads threads = watching(tasks);
        moves.clear();

        // The main loop's first look, right after the start: 5 ms of 10 waiting is no starving yet.
        now += 10 * MS;
        schedstat(tasks, 8, 1 * MS, 5 * MS);
        threads.tend();
        assertThat(moves).isEmpty();
        // Counted from the start (202 ms of 1,010 waited: a fifth), not from the short look (198 of 1,000: less).
        now += SECOND;
        schedstat(tasks, 8, 2 * MS, 203 * MS);
        threads.tend();
        assertThat(moves).containsExactly("normal 8");
    }

    @Test
    void shouldLeaveAThreadWithoutStatisticsOrThatTheKernelRefusedAndNotTryItAgain(@TempDir final Path tasks)
        throws IOException {
        thread(tasks, 8, "C2 CompilerThre");
        Files.writeString(tasks.resolve("8").resolve("schedstat"), "0 0 0\n");
        thread(tasks, 9, "C1 CompilerThre");
        schedstat(tasks, 9, MS, MS);
        refuse = 9;
        final JitThreads threads = watching(tasks);
        for (int i = 0; i < 20; i++) {
            now += SECOND;
            threads.tend();
        }
        assertThat(moves).as("tried once each, at most").containsExactly("refused 9");
    }

    @Test
    void shouldPutEveryThreadWatchedBackUnderTheNormalPolicyWhenGivingUp(@TempDir final Path tasks)
        throws IOException {
        thread(tasks, 8, "C2 CompilerThre");
        schedstat(tasks, 8, 0, MS);
        thread(tasks, 9, "C1 CompilerThre");
        schedstat(tasks, 9, 0, MS);
        final JitThreads threads = watching(tasks);
        moves.clear();

        threads.giveUp();
        assertThat(moves).containsExactlyInAnyOrder("normal 8", "normal 9");
        moves.clear();
        now += SECOND;
        threads.tend();
        assertThat(moves).as("no longer watched").isEmpty();
    }

    private JitThreads watching(final Path tasks) {
        final JitThreads threads = new JitThreads(tasks, new JitThreads.Policies() {
            @Override
            public void idle(final int tid) throws NativeException {
                if (tid == refuse) {
                    moves.add("refused " + tid);
                    // The kernel's own refusal: no thread has that id.
                    SchedulingPolicy.idle(Integer.MAX_VALUE);
                }
                moves.add("idle " + tid);
            }

            @Override
            public void normal(final int tid) throws NativeException {
                moves.add("normal " + tid);
            }
        }, () -> now);
        return threads.begin();
    }

    private static void thread(final Path tasks, final int tid, final String name) throws IOException {
        Files.writeString(Files.createDirectories(tasks.resolve(Integer.toString(tid))).resolve("comm"), name + "\n");
    }

    private static void schedstat(final Path tasks, final int tid, final long ran, final long waited)
        throws IOException {
        Files.writeString(tasks.resolve(Integer.toString(tid)).resolve("schedstat"), ran + " " + waited + " 10\n");
    }
}
