package io.weft.bench;

import io.weft.testbed.ExecResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code perf record} running in the background into a directory of its own, for the tools that put a bench's figures
 * down to what the CPUs did ({@link PingTails}, {@link CycleBudget}, {@link Footprint}). {@link #stop} stops it as ^C
 * would and fails when it had to be killed (its data may be cut short); closing kills it if still running and removes
 * the directory.
 */
final class PerfRecording implements AutoCloseable {
    private final Path dir;
    private final Path data;
    private final Process perf;
    private final Thread stopOnExit;
    private boolean stopped;

    private PerfRecording(Path dir, Path data, Process perf) {
        this.dir = dir;
        this.data = data;
        this.perf = perf;
        this.stopOnExit = new Thread(perf::destroy, "stop perf record");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /** Why the tools cannot run here (the harness's own reasons, or no perf), if they cannot. */
    static Optional<String> unavailabilityCause() {
        Optional<String> cause = EndToEndBench.unavailabilityCause();
        if (cause.isEmpty() && !EndToEndBench.onPath("perf")) {
            cause = Optional.of("no perf on the PATH (Debian: apt-get install linux-perf)");
        }
        return cause;
    }

    /** Starts {@code perf record -q -m 4M ARGS -o DATA} in a new directory named after {@code tool}. */
    static PerfRecording start(String tool, List<String> args) throws IOException {
        Path dir = Files.createTempDirectory(tool);
        Path data = dir.resolve("perf.data");
        List<String> command = new ArrayList<>(List.of("perf", "record", "-q", "-m", "4M"));
        command.addAll(args);
        command.addAll(List.of("-o", data.toString()));
        try {
            return new PerfRecording(dir, data, new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("perf.log").toFile()).start());
        } catch (IOException e) {
            deleteQuietly(dir);
            throw e;
        }
    }

    /** Stops perf as ^C would and waits for it to write its data. */
    void stop() throws IOException, InterruptedException {
        perf.destroy();
        stopped = perf.waitFor(60, TimeUnit.SECONDS);
        if (!stopped) {
            perf.destroyForcibly().waitFor();
            throw new IllegalStateException("perf record did not stop when asked (killed: its data may be cut short): "
                + Files.readString(dir.resolve("perf.log")));
        }
        if (!Files.isRegularFile(data)) {
            throw new IllegalStateException("perf record failed: " + Files.readString(dir.resolve("perf.log")));
        }
    }

    /**
     * {@code perf script -F fields} over the data; with {@code mergeErrors} perf's standard error mixed into the
     * output (a tool that recognises its lines among perf's warnings), else left out.
     */
    String script(String fields, boolean mergeErrors) {
        if (!stopped) {
            throw new IllegalStateException("perf script before perf record stopped");
        }
        List<String> command = List.of("perf", "script", "-i", data.toString(), "-F", fields);
        ExecResult script;
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            Process process = (mergeErrors ? builder.redirectErrorStream(true)
                : builder.redirectError(ProcessBuilder.Redirect.DISCARD)).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            script = new ExecResult(command, process.waitFor(), output, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (!script.ok()) {
            throw new IllegalStateException("perf script failed: " + script.stdout());
        }
        return script.stdout();
    }

    @Override
    public void close() {
        if (perf.isAlive()) {
            perf.destroyForcibly();
        }
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
        deleteQuietly(dir);
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.out.println("could not remove " + dir + ": " + e.getMessage());
        }
    }
}
