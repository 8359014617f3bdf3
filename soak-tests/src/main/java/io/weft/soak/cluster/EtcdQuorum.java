package io.weft.soak.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.testbed.ExecResult;
import io.weft.testbed.Hub;
import io.weft.testbed.ManagedProcess;
import io.weft.testbed.TestbedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A 3-member etcd cluster in the hub namespace (one address, a port pair per member), so that losing one member is a
 * fault the cluster survives; etcdctl, run in the hub, for what an operator writes.
 */
final class EtcdQuorum implements Registry {
    static final int MEMBERS = 3;
    private static final int FIRST_CLIENT_PORT = 2379;
    private static final int PORT_STEP = 10_000;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    // Elections tolerant of a loaded two-core machine: the defaults (100 ms, 1 s) flap when builds run beside us.
    private static final String HEARTBEAT_MS = "250";
    private static final String ELECTION_MS = "2500";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Hub hub;
    private final Path dataRoot;
    private final String prefix;
    private final String token;
    private final ManagedProcess[] processes = new ManagedProcess[MEMBERS];

    private EtcdQuorum(Hub hub, Path dataRoot, String prefix, String token) {
        this.hub = hub;
        this.dataRoot = dataRoot;
        this.prefix = prefix;
        this.token = token;
    }

    static EtcdQuorum start(Hub hub, Path dataRoot, String prefix, String token) {
        EtcdQuorum quorum = new EtcdQuorum(hub, dataRoot, prefix, token);
        for (int i = 0; i < MEMBERS; i++) {
            quorum.launch(i);
        }
        quorum.awaitHealthy();
        return quorum;
    }

    /** Every member's client URL, comma-separated, as weftd's {@code --etcd-endpoints} takes them. */
    String endpoints() {
        return IntStream.range(0, MEMBERS).mapToObj(this::clientUrl).collect(Collectors.joining(","));
    }

    @Override
    public String prefix() {
        return prefix;
    }

    @Override
    public int memberCount() {
        return MEMBERS;
    }

    @Override
    public void killMember(int index) {
        processes[index].kill();
    }

    @Override
    public void startMembers() {
        for (int i = 0; i < MEMBERS; i++) {
            if (!processes[i].isAlive()) {
                launch(i);
            }
        }
        awaitHealthy();
    }

    @Override
    public boolean isHealthy() {
        return etcdctl(Duration.ofSeconds(5), "get", "--consistency=l", prefix + "/config").ok();
    }

    @Override
    public Map<String, String> subnets() {
        String subnetsPrefix = prefix + "/subnets/";
        JsonNode kvs = json(etcdctl(Duration.ofSeconds(10), "get", "--prefix", subnetsPrefix, "-w", "json")
            .orThrow()).path("kvs");
        Map<String, String> subnets = new LinkedHashMap<>();
        for (JsonNode kv : kvs) {
            String key = decode(kv.path("key").asText());
            String name = key.substring(subnetsPrefix.length());
            int dash = name.lastIndexOf('-');
            String subnet = dash < 0 ? name : name.substring(0, dash) + "/" + name.substring(dash + 1);
            subnets.put(subnet, decode(kv.path("value").asText()));
        }
        return subnets;
    }

    @Override
    public Optional<String> get(String key) {
        JsonNode kvs = json(etcdctl(Duration.ofSeconds(10), "get", key, "-w", "json").orThrow()).path("kvs");
        return kvs.isEmpty() ? Optional.empty() : Optional.of(decode(kvs.get(0).path("value").asText()));
    }

    @Override
    public void put(String key, String value) {
        JsonNode kvs = json(etcdctl(Duration.ofSeconds(10), "get", key, "-w", "json").orThrow()).path("kvs");
        long lease = kvs.isEmpty() ? 0 : kvs.get(0).path("lease").asLong();
        List<String> args = new ArrayList<>(List.of("put"));
        if (lease != 0) {
            args.add("--lease=" + Long.toHexString(lease));
        }
        args.add(key);
        // "--" so a value that starts with '-' is a value, not a flag.
        args.add("--");
        args.add(value);
        etcdctl(Duration.ofSeconds(10), args.toArray(String[]::new)).orThrow();
    }

    @Override
    public void delete(String key) {
        etcdctl(Duration.ofSeconds(10), "del", key).orThrow();
    }

    @Override
    public long compact() {
        JsonNode status = json(etcdctl(Duration.ofSeconds(10), "endpoint", "status", "-w", "json").orThrow());
        long revision = status.get(0).path("Status").path("header").path("revision").asLong();
        etcdctl(Duration.ofSeconds(20), "compact", Long.toString(revision), "--physical").orThrow();
        return revision;
    }

    ExecResult etcdctl(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoints(),
            "--command-timeout=" + Math.max(1, timeout.toSeconds() - 2) + "s", "--dial-timeout=2s"));
        command.addAll(List.of(args));
        return hub.exec(timeout.plusSeconds(5), command);
    }

    private void launch(int index) {
        String name = "m" + index;
        String initialCluster = IntStream.range(0, MEMBERS).mapToObj(i -> "m" + i + "=" + peerUrl(i))
            .collect(Collectors.joining(","));
        processes[index] = hub.start("etcd-" + name, List.of("etcd", "--name", name,
            "--data-dir", dataRoot.resolve(name).toString(),
            "--listen-client-urls", clientUrl(index), "--advertise-client-urls", clientUrl(index),
            "--listen-peer-urls", peerUrl(index), "--initial-advertise-peer-urls", peerUrl(index),
            "--initial-cluster", initialCluster, "--initial-cluster-token", token,
            "--initial-cluster-state", "new",
            "--heartbeat-interval", HEARTBEAT_MS, "--election-timeout", ELECTION_MS));
    }

    private void awaitHealthy() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!isHealthy()) {
            if (System.nanoTime() - deadline > 0) {
                StringBuilder logs = new StringBuilder();
                for (ManagedProcess process : processes) {
                    logs.append("\n--- ").append(process.logFile()).append(" ---\n").append(tail(process.logText()));
                }
                throw new TestbedException("etcd quorum not healthy after " + READY_TIMEOUT.toSeconds() + " s" + logs);
            }
            sleepMs(200);
        }
    }

    private String clientUrl(int index) {
        return "http://" + Hub.IP + ":" + (FIRST_CLIENT_PORT + index * PORT_STEP);
    }

    private String peerUrl(int index) {
        return "http://" + Hub.IP + ":" + (FIRST_CLIENT_PORT + 1 + index * PORT_STEP);
    }

    private static JsonNode json(ExecResult result) {
        try {
            return JSON.readTree(result.stdout());
        } catch (IOException e) {
            throw new TestbedException("etcdctl printed no JSON: " + result.stdout(), e);
        }
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
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
