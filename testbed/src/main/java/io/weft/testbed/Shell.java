package io.weft.testbed;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs host commands with a timeout, and commands inside a named network namespace via {@code ip netns exec}. */
final class Shell {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final String[] SBIN_DIRS = {"/usr/local/sbin", "/usr/sbin", "/sbin"};
    private static final String PATH = pathWithSbin(System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));

    private Shell() {
    }

    static List<String> inNetns(String netns, List<String> command) {
        List<String> full = new ArrayList<>(command.size() + 4);
        full.add("ip");
        full.add("netns");
        full.add("exec");
        full.add(netns);
        full.addAll(command);
        return full;
    }

    static ExecResult run(List<String> command) {
        return run(command, Map.of(), null, DEFAULT_TIMEOUT);
    }

    /** Runs to completion; on timeout kills the command and its children and throws. */
    static ExecResult run(List<String> command, Map<String, String> env, byte[] stdin, Duration timeout) {
        Process process = startProcess(command, env, stdin == null ? ProcessBuilder.Redirect.from(devNull()) : null);
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (stdin != null) {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin);
                } catch (IOException e) {
                    // The command may exit without reading its input; its exit code tells the story.
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new TestbedException("timed out after " + timeout.toMillis() + " ms: "
                    + String.join(" ", command));
            }
            return new ExecResult(command, process.exitValue(), stdout.get(), stderr.get());
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new TestbedException("interrupted while running " + String.join(" ", command), e);
        } catch (ExecutionException e) {
            throw new TestbedException("cannot read output of " + String.join(" ", command), e.getCause());
        }
    }

    /** Starts a background command whose stdout and stderr both go to {@code logFile}. */
    static Process startLogged(List<String> command, Path logFile) {
        try {
            Files.createDirectories(logFile.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessBuilder builder = builder(command, Map.of())
            .redirectInput(ProcessBuilder.Redirect.from(devNull()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            return builder.start();
        } catch (IOException e) {
            throw new TestbedException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    /** SIGKILL to the process and every descendant it has left. */
    static void kill(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean onPath(String program) {
        for (String dir : PATH.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    static String section(String title, String text) {
        return text == null || text.isBlank() ? "" : "\n--- " + title + " ---\n" + text.strip();
    }

    private static Process startProcess(List<String> command, Map<String, String> env, ProcessBuilder.Redirect in) {
        ProcessBuilder builder = builder(command, env);
        if (in != null) {
            builder.redirectInput(in);
        }
        try {
            return builder.start();
        } catch (IOException e) {
            throw new TestbedException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    private static ProcessBuilder builder(List<String> command, Map<String, String> env) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("PATH", PATH);
        builder.environment().putAll(env);
        return builder;
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(e);
            }
        }, "shell-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }

    private static File devNull() {
        return new File("/dev/null");
    }

    // ip, sysctl and iptables live in sbin; a non-login environment (CI, IDE) may lack it on PATH.
    private static String pathWithSbin(String path) {
        StringBuilder result = new StringBuilder(path);
        for (String dir : SBIN_DIRS) {
            if (!List.of(path.split(":")).contains(dir)) {
                result.append(':').append(dir);
            }
        }
        return result.toString();
    }
}
