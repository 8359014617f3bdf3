package io.weft.registry.etcd;

import static io.weft.registry.etcd.EtcdTestKit.flannelValue;
import static io.weft.registry.etcd.EtcdTestKit.ip;
import static io.weft.registry.etcd.EtcdTestKit.put;
import static io.weft.registry.etcd.EtcdTestKit.putWithLease;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;

import io.etcd.jetcd.Client;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry's threads across etcd outages: the soak found every weftd holding more threads after etcd had been
 * down (jetcd's cached pool grown by the failures and retries, a retry timer and a watch thread started on the first
 * failure; weft talks HTTP to etcd since). Two outages, so that a leak per outage shows as well as one per process.
 */
class EtcdClientThreadsTest {
    private static final String PREFIX = "/coreos.com/network";
    private static final String SUBNETS = PREFIX + "/subnets/";
    private static final Duration OUTAGE = Duration.ofSeconds(8);

    @TempDir
    Path directory;

    private static final String SELECTOR = "HttpClient-#-SelectorManager";

    private final EtcdTestKit.RecordingListener listener = new EtcdTestKit.RecordingListener();
    /** The test's own writes: on threads of its own started up front, so that they are in every count alike. */
    private final ScheduledExecutorService writerThreads = EtcdClients.newExecutor();
    private EtcdServer server;
    private EtcdLeaseRegistry registry;

    @BeforeEach
    void start() throws Exception {
        server = EtcdServer.startOnLoopback(directory.resolve("etcd"));
        try (Client etcd = writer()) {
            put(etcd, PREFIX + "/config", EtcdTestKit.FLANNEL_CONFIG);
        }
    }

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
        writerThreads.shutdownNow();
        server.close();
    }

    @Test
    void shouldHoldAsManyThreadsAfterEachOutageAsBefore() throws Exception {
        registry = EtcdLeaseRegistry.open(EtcdTestKit.config(server, PREFIX));
        registry.awaitNetworkConfig();
        registry.acquire(ip("192.168.100.1"), null);
        registry.watch(listener);
        listener.awaitDelivery("with our lease", leases -> leases.size() == 1);
        addLease(100);
        listener.awaitDelivery("with the first lease added", leases -> leases.size() == 2);
        final Map<String, Integer> before = threads();

        for (int outage = 1; outage <= 2; outage++) {
            final long reconnects = registry.stats().reconnects();
            server.kill();
            Thread.sleep(OUTAGE.toMillis());
            server.restart();
            EtcdTestKit.await("the registry reconnected", Duration.ofSeconds(30),
                () -> registry.stats().reconnects() > reconnects);
            final int expected = 2 + outage;
            addLease(100 + outage);
            listener.awaitDelivery("with the lease added after outage " + outage, leases -> leases.size() == expected);

            final Map<String, Integer> after = threads();
            // Every thread the client needs runs before the first outage, and no pool grows (a grown cached pool
            // would keep its threads a minute after the burst); one watch thread, the old one's gone. HTTP clients'
            // selector threads, one per client, may only have become fewer: other tests' clients are collected.
            assertThat(without(SELECTOR, after)).as("threads after outage %d (before: %s)", outage, before)
                .isEqualTo(without(SELECTOR, before));
            assertThat(after.getOrDefault(SELECTOR, 0)).as("HTTP client selector threads")
                .isBetween(1, before.getOrDefault(SELECTOR, 0));
        }
    }

    /** A lease as flanneld writes it, by a client opened for it: one that lived through the outage would not do. */
    private void addLease(final int octet) throws Exception {
        try (Client etcd = writer()) {
            putWithLease(etcd, SUBNETS + "10.244." + octet + ".0-24", flannelValue("192.168.100." + octet), 600);
        }
    }

    private Client writer() throws IOException {
        return EtcdClients.build(EtcdTestKit.config(server, PREFIX), writerThreads);
    }

    /**
     * Live threads by name without its number, leaving out what the tests run beside the registry: etcd's output
     * readers, the JDK's process reapers and its HTTP keep-alive timer (another test reads etcd's metrics), the test's
     * own jetcd writers' gRPC and Netty threads (cached pools and a global executor that come and go with the timing
     * of a count), and the workers of other JDK HTTP clients (the registry's client runs on its own fixed pool).
     */
    private static Map<String, Integer> threads() {
        final Map<String, Integer> byName = new TreeMap<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet()) {
            final String name = thread.getName();
            if (thread.isAlive() && !name.startsWith("etcd-output-") && !name.startsWith("process reaper") &&
                !name.equals("Keep-Alive-Timer") && !name.startsWith("globalEventExecutor-") &&
                !name.startsWith("grpc-") && !(name.startsWith("HttpClient-") && name.contains("-Worker-"))) {
                byName.merge(name.replaceAll("\\d+", "#"), 1, Integer::sum);
            }
        }
        return byName;
    }

    private static Map<String, Integer> without(final String name, final Map<String, Integer> threads) {
        final Map<String, Integer> rest = new TreeMap<>(threads);
        rest.remove(name);
        return rest;
    }
}
