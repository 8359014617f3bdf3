package io.weft.registry.etcd;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway single-member etcd (Debian's etcd-server) on 127.0.0.1 for this module's tests, run as a child process.
 * Ready means etcd logged that it serves clients. The data directory belongs to the server: close() deletes it.
 * (The end-to-end tests' etcd, in a network namespace, is testbed's {@code Etcd}.)
 */
final class EtcdServer implements AutoCloseable {
    /** What etcd 3.4 logs once it serves clients: zap's and capnslog's words, without and with TLS. */
    private static final List<String> READY_LINES = List.of("ready to serve client requests", "serving client traffic",
        "serving insecure client requests", "serving client requests");
    private static final long READY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int OUTPUT_LINES_KEPT = 40;

    private static final FileAttribute<?> PRIVATE_DIRECTORY =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private final List<String> command;
    private final String endpoint;
    private final Path dataDir;
    private final Deque<String> recentOutput = new ArrayDeque<>();
    private Process process;
    /** The process that said it serves clients: a reader of an earlier run must not count for a restart. */
    private Process readyProcess;

    private EtcdServer(final List<String> command, final String endpoint, final Path dataDir) {
        this.command = command;
        this.endpoint = endpoint;
        this.dataDir = dataDir;
    }

    /** Starts etcd on 127.0.0.1 with free ports, trying other ports if another process took them meanwhile. */
    static EtcdServer startOnLoopback(final Path dataDir) throws IOException {
        return startOnLoopback(dataDir, null);
    }

    /**
     * As {@link #startOnLoopback(Path)}, serving clients over TLS only, and only clients whose certificate
     * {@code tls.ca()} signed ({@code --client-cert-auth}); {@link #endpoint()} is then an https:// URL.
     */
    static EtcdServer startOnLoopback(final Path dataDir, final ServerTls tls) throws IOException {
        IOException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                final int[] ports = freePorts(2);
                return start("127.0.0.1", ports[0], ports[1], dataDir, tls);
            } catch (final IOException e) {
                failure = e;
                deleteRecursively(dataDir);
            }
        }
        throw failure;
    }

    /** The CA that signs trusted client certificates, and the server's certificate and key, as PEM files. */
    record ServerTls(Path ca, Path certificate, Path key) {
    }

    /**
     * Starts etcd listening on {@code listenIp} and waits until it serves clients.
     *
     * @param dataDir etcd's --data-dir, created if missing, deleted by close().
     * @param tls     null for plain http://.
     */
    static EtcdServer start(final String listenIp, final int clientPort, final int peerPort, final Path dataDir,
        final ServerTls tls) throws IOException {
        final String peer = "http://" + listenIp + ":" + peerPort;
        final EtcdServer server = member("t", listenIp, clientPort, peerPort, "t=" + peer, dataDir, tls);
        server.launch();
        return server;
    }

    /**
     * One member of a cluster, not started: {@code initialCluster} is etcd's {@code --initial-cluster} (every member's
     * {@code name=peer URL}). A member of several serves clients only once a quorum runs, so {@link EtcdCluster}
     * spawns them all before waiting for any.
     */
    static EtcdServer member(final String name, final String listenIp, final int clientPort, final int peerPort,
        final String initialCluster, final Path dataDir, final ServerTls tls) {
        final String client = (tls == null ? "http://" : "https://") + listenIp + ":" + clientPort;
        final String peer = "http://" + listenIp + ":" + peerPort;
        final List<String> command = new ArrayList<>(List.of("etcd",
            "--name", name,
            "--data-dir", dataDir.toString(),
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", initialCluster,
            "--logger", "zap", "--log-outputs", "stderr"));
        if (tls != null) {
            command.addAll(List.of("--cert-file", tls.certificate().toString(), "--key-file", tls.key().toString(),
                "--trusted-ca-file", tls.ca().toString(), "--client-cert-auth"));
        }
        return new EtcdServer(List.copyOf(command), client, dataDir);
    }

    /** A TCP port on 127.0.0.1 that was free a moment ago. */
    static int freePort() throws IOException {
        return freePorts(1)[0];
    }

    /**
     * {@code count} distinct TCP ports on 127.0.0.1 that were free a moment ago: all held open until all are chosen,
     * as a port closed is the kernel's next answer again (a member once got one port for its clients and peers).
     */
    static int[] freePorts(final int count) throws IOException {
        final List<ServerSocket> held = new ArrayList<>();
        try {
            final int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                final ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (final ServerSocket socket : held) {
                socket.close();
            }
        }
    }

    /** The client URL, such as {@code http://127.0.0.1:23790}. */
    String endpoint() {
        return endpoint;
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, as a crash or a power cut: etcd gets no chance to close its connections cleanly. */
    synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            awaitExit(process);
        }
    }

    /** Starts etcd again on the same ports and data directory (after kill(), or stopping it if it still runs). */
    synchronized void restart() throws IOException {
        stop();
        launch();
    }

    /** The last lines etcd printed, for a failure message. */
    private String recentOutput() {
        synchronized (recentOutput) {
            return String.join("\n", recentOutput);
        }
    }

    /** Stops etcd (SIGTERM, then SIGKILL after 10 s) and deletes its data directory. Idempotent. */
    @Override
    public synchronized void close() {
        stop();
        try {
            deleteRecursively(dataDir);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot delete etcd data directory " + dataDir, e);
        }
    }

    private void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
    }

    private synchronized void launch() throws IOException {
        spawn();
        awaitReady();
    }

    /** Starts the process without waiting for it to serve clients (see {@link #awaitReady()}). */
    synchronized void spawn() throws IOException {
        // etcd warns about a data directory others can read.
        Files.createDirectories(dataDir, PRIVATE_DIRECTORY);
        final Process started = new ProcessBuilder(command).redirectErrorStream(true).start();
        process = started;
        final Thread reader = new Thread(() -> readOutput(started), "etcd-output-" + started.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits until the process last spawned says it serves clients; kills it and throws if it does not in time. */
    synchronized void awaitReady() throws IOException {
        final Process started = process;
        final long deadline = System.nanoTime() + READY_TIMEOUT_NS;
        try {
            while (readyProcess != started) {
                final long remainingNs = deadline - System.nanoTime();
                if (!started.isAlive() || remainingNs <= 0) {
                    final String why = started.isAlive() ? "did not get ready within 30 s" :
                        "exited with status " + started.exitValue();
                    kill();
                    throw new IOException("etcd " + endpoint + " " + why + "; command: " + String.join(" ", command) +
                        "\n" + recentOutput());
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(remainingNs, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new IOException("interrupted while waiting for etcd " + endpoint, e);
        }
    }

    private void readOutput(final Process started) {
        try (BufferedReader output =
            new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = output.readLine()) != null) {
                synchronized (recentOutput) {
                    recentOutput.addLast(line);
                    if (recentOutput.size() > OUTPUT_LINES_KEPT) {
                        recentOutput.removeFirst();
                    }
                }
                if (isReadyLine(line)) {
                    synchronized (this) {
                        readyProcess = started;
                        notifyAll();
                    }
                }
            }
        } catch (final IOException e) {
            // The process is gone; launch() reports its exit status and last lines.
        }
    }

    private static boolean isReadyLine(final String line) {
        for (final String ready : READY_LINES) {
            if (line.contains(ready)) {
                return true;
            }
        }
        return false;
    }

    private static void awaitExit(final Process process) {
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteRecursively(final Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
