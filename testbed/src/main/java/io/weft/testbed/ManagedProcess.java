package io.weft.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A background command started by a {@link Testbed}, logging to a file in the run directory; stopped on close. */
public final class ManagedProcess {
    static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final long POLL_MS = 50;

    private final String name;
    private final List<String> command;
    private final Process process;
    private final Path logFile;

    ManagedProcess(String name, List<String> command, Process process, Path logFile) {
        this.name = name;
        this.command = List.copyOf(command);
        this.process = process;
        this.logFile = logFile;
    }

    public String name() {
        return name;
    }

    public List<String> command() {
        return command;
    }

    /** The command's own pid: {@code ip netns exec} switches namespace and then execs it. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to exit by itself; true when it has. */
    public boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The exit code of a process that has exited. */
    public int exitCode() {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " (pid " + pid() + ") is still running");
        }
        return process.exitValue();
    }

    /** SIGTERM, up to 5 s to exit, then SIGKILL to it and its children; returns the exit code. Idempotent. */
    public int stop() {
        if (process.isAlive()) {
            List<ProcessHandle> descendants = process.descendants().toList();
            process.destroy();
            if (!waitFor(STOP_GRACE)) {
                Shell.kill(process);
            }
            descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
        waitFor(STOP_GRACE);
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Sends {@code signal} (a name such as TERM, STOP, CONT) and returns at once. */
    public void signal(String signal) {
        Shell.run(List.of("kill", "-s", signal, Long.toString(pid()))).orThrow();
    }

    /** SIGKILL at once, as a crash would end it; returns when it is gone. */
    public void kill() {
        process.destroyForcibly();
        waitFor(STOP_GRACE);
    }

    public Path logFile() {
        return logFile;
    }

    /** Everything the process has printed so far (stdout and stderr interleaved). */
    public String logText() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the log holds a line matching {@code ready}; throws with the log when the process exits first or the
     * timeout passes.
     */
    public String awaitLogLine(Predicate<String> ready, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean exited = !process.isAlive();
            String line = logText().lines().filter(ready).findFirst().orElse(null);
            if (line != null) {
                return line;
            }
            if (exited) {
                throw new TestbedException(name + " exited with " + process.exitValue() + " before it was ready"
                    + Shell.section("log " + logFile, logText()));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new TestbedException(name + " not ready after " + timeout.toMillis() + " ms"
                    + Shell.section("log " + logFile, logText()));
            }
            sleepMs(POLL_MS);
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + pid() + (isAlive() ? ", running]" : ", exited]");
    }

    static void sleepMs(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestbedException("interrupted", e);
        }
    }
}
