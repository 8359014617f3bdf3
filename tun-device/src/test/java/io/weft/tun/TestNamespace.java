package io.weft.tun;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import jnr.ffi.LibraryLoader;

/**
 * A network namespace made for one test, with a per-run name; {@link #run} executes code on a fresh thread that
 * has entered it (setns affects only the calling thread), so fds and netlink calls made there belong to it.
 */
final class TestNamespace implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;

    private static final SetNs SETNS = LibraryLoader.create(SetNs.class).load("c");

    final String name;

    private TestNamespace(final String name) {
        this.name = name;
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static TestNamespace create(final String purpose) throws IOException, InterruptedException {
        final String name = String.format("wt%04x-%s", ThreadLocalRandom.current().nextInt(0x10000), purpose);
        exec("ip", "netns", "add", name);
        final TestNamespace namespace = new TestNamespace(name);
        exec("ip", "-n", name, "link", "set", "lo", "up");
        // New links would otherwise emit IPv6 router solicitations into the TUN under test.
        exec("ip", "netns", "exec", name, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
        return namespace;
    }

    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    void run(final Body body) throws Exception {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread = new Thread(() -> {
            final int fd = Native.LIBC.open("/run/netns/" + name, 0);
            try {
                if (fd < 0 || SETNS.setns(fd, CLONE_NEWNET) != 0) {
                    throw new IllegalStateException("cannot enter namespace " + name + ": " +
                        Errno.describe(Native.errno()));
                }
                body.run();
            } catch (final Throwable t) {
                failure.set(t);
            } finally {
                Native.closeQuietly(fd);
            }
        }, "in-" + name);
        thread.start();
        thread.join();
        if (failure.get() instanceof Exception) {
            throw (Exception)failure.get();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    String ip(final String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        return exec(command.toArray(new String[0]));
    }

    static String exec(final String... command) throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    @Override
    public void close() throws IOException {
        try {
            exec("ip", "netns", "del", name);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while deleting namespace " + name, e);
        }
    }
}
