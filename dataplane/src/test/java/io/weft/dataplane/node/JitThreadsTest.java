package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JitThreadsTest {

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

    private static void thread(final Path tasks, final int tid, final String name) throws IOException {
        Files.writeString(Files.createDirectory(tasks.resolve(Integer.toString(tid))).resolve("comm"), name + "\n");
    }
}
