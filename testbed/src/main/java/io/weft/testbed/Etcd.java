package io.weft.testbed;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway etcd (Debian's etcd-server) in the hub namespace, reachable from every node at
 * {@code http://192.168.213.254:2379}, with etcdctl for the writes an operator or a flanneld would make.
 */
public final class Etcd {
    public static final int CLIENT_PORT = 2379;
    private static final int PEER_PORT = 2380;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final Hub hub;
    private final Path dataDir;
    private ManagedProcess process;
    private int starts;

    private Etcd(Hub hub, Path dataDir) {
        this.hub = hub;
        this.dataDir = dataDir;
    }

    /** Starts etcd with a data directory in the run directory and waits until it answers. */
    public static Etcd start(Testbed testbed) {
        Etcd etcd = new Etcd(testbed.hub(), testbed.runDir().resolve("etcd"));
        etcd.launch();
        return etcd;
    }

    public String endpoint() {
        return "http://" + Hub.IP + ":" + CLIENT_PORT;
    }

    public void put(String key, String value) {
        etcdctl("put", key, value).orThrow();
    }

    /** Puts {@code key} attached to a new etcd lease of {@code ttlSeconds}, as flanneld writes a subnet lease. */
    public void putWithLease(String key, String value, long ttlSeconds) {
        String granted = etcdctl("lease", "grant", Long.toString(ttlSeconds)).orThrow().stdout();
        // "lease 694d7a4bd8a3b60b granted with TTL(86400s)"
        String leaseId = granted.trim().split("\\s+")[1];
        etcdctl("put", "--lease=" + leaseId, key, value).orThrow();
    }

    /** The value of {@code key}, or "" when absent. */
    public String get(String key) {
        return etcdctl("get", "--print-value-only", key).orThrow().stdout().strip();
    }

    /** Keys under {@code prefix}, one per line. */
    public List<String> keys(String prefix) {
        return etcdctl("get", "--prefix", "--keys-only", prefix).orThrow().stdout().lines()
            .filter(line -> !line.isBlank()).toList();
    }

    public void delete(String key) {
        etcdctl("del", key).orThrow();
    }

    /** SIGKILL: etcd vanishes as in a crash. */
    public void kill() {
        process.kill();
    }

    /** SIGSTOP: etcd keeps its connections but answers nothing, as a hung or partitioned member does. */
    public void pause() {
        process.signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        process.signal("CONT");
    }

    /** Starts etcd again on the same data directory. */
    public void restart() {
        if (process.isAlive()) {
            process.stop();
        }
        launch();
    }

    public ExecResult etcdctl(String... args) {
        List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoint(),
            "--command-timeout=5s"));
        command.addAll(List.of(args));
        return hub.exec(Duration.ofSeconds(15), command);
    }

    private void launch() {
        String peer = "http://" + Hub.IP + ":" + PEER_PORT;
        process = hub.start("etcd-" + (++starts), List.of("etcd", "--name", "weft-test",
            "--data-dir", dataDir.toString(),
            "--listen-client-urls", endpoint(), "--advertise-client-urls", endpoint(),
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "weft-test=" + peer));
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!etcdctl("endpoint", "health").ok()) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                throw new TestbedException("etcd did not become healthy at " + endpoint()
                    + Shell.section("log " + process.logFile(), process.logText()));
            }
            ManagedProcess.sleepMs(100);
        }
    }
}
