package io.weft.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The leases of nodes that do not exist, for the scale harness ({@link Scale}): written to etcd through its JSON
 * gateway from inside the hub, the one namespace besides the nodes that reaches etcd. Values are those of weft nodes
 * that authenticate, as weftd's default makes them (a public IP, a node key and an epoch in the backend data), the
 * public IPs in {@value #SYNTHETIC_RANGE} so that they are told from real nodes' leases, and every one is attached to
 * one etcd lease, as a node's is.
 *
 * <pre>
 *   LeaseChurn ENDPOINT PREFIX load COUNT NETWORK SUBNET_LENGTH   prints "LOADED count ms last_put_epoch_ms"
 *   LeaseChurn ENDPOINT PREFIX churn RATE SECONDS moves|joins     prints "CHURNED changes seconds late_ms"
 * </pre>
 *
 * {@code load} puts COUNT leases on the network's free subnets (after its first), in transactions of
 * {@value #PUTS_PER_TRANSACTION}; {@code churn} changes the synthetic leases in turn, RATE a second on a fixed
 * schedule for SECONDS, and says how late the latest change was. {@code moves}: each is written again with another
 * public IP and a new epoch (a node's address changed, or its weftd restarted: the same subnets and node keys, routes
 * to other places, new traffic keys);
 * {@code joins}: one is deleted, the next change writes it again, and so on through them (nodes leaving and joining:
 * subnets come and go, and the count ends where it began).
 */
public final class LeaseChurn {
    static final String SYNTHETIC_RANGE = "172.16.0.0/12";
    private static final int SYNTHETIC_BASE = 172 << 24 | 16 << 16;
    private static final int SYNTHETIC_MASK = 0xfff0_0000;
    /** Flipping this bit of a synthetic public IP keeps it in the synthetic range: 172.16.x.y and 172.24.x.y. */
    private static final int CHURN_BIT = 1 << 19;
    private static final int PUTS_PER_TRANSACTION = 100;
    private static final long LEASE_TTL_SECONDS = 86_400;

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String endpoint;
    private final String subnetsPrefix;

    private LeaseChurn(String endpoint, String prefix) {
        this.endpoint = endpoint;
        this.subnetsPrefix = prefix + "/subnets/";
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: LeaseChurn ENDPOINT PREFIX load COUNT NETWORK SUBNET_LENGTH"
                + " | churn RATE SECONDS moves|joins");
        }
        LeaseChurn churn = new LeaseChurn(args[0], args[1]);
        switch (args[2]) {
            case "load" -> churn.load(Integer.parseInt(args[3]), args[4], Integer.parseInt(args[5]));
            case "churn" -> churn.churn(Integer.parseInt(args[3]), Integer.parseInt(args[4]), args[5]);
            default -> throw new IllegalArgumentException("unknown step " + args[2] + ": load or churn");
        }
    }

    private void load(int count, String network, int subnetLength) throws IOException, InterruptedException {
        List<Integer> subnets = freeSubnets(network, subnetLength, takenSubnets(), count);
        String lease = post("/v3/lease/grant", JSON.createObjectNode().put("TTL", LEASE_TTL_SECONDS)).path("ID")
            .asText();
        long start = System.nanoTime();
        ArrayNode puts = JSON.createArrayNode();
        for (int i = 0; i < subnets.size(); i++) {
            puts.addObject().set("request_put", put(subnetsPrefix + subnetKey(subnets.get(i), subnetLength),
                value(SYNTHETIC_BASE + i, subnetKey(subnets.get(i), subnetLength), 1), lease));
            if (puts.size() == PUTS_PER_TRANSACTION || i == subnets.size() - 1) {
                ObjectNode transaction = JSON.createObjectNode();
                transaction.set("success", puts);
                post("/v3/kv/txn", transaction);
                puts = JSON.createArrayNode();
            }
        }
        System.out.println("LOADED " + subnets.size() + " " + (System.nanoTime() - start) / 1_000_000 + " "
            + System.currentTimeMillis());
    }

    private void churn(int rate, int seconds, String kind) throws IOException, InterruptedException {
        boolean joins = switch (kind) {
            case "moves" -> false;
            case "joins" -> true;
            default -> throw new IllegalArgumentException("a churn is moves or joins, not " + kind);
        };
        List<JsonNode> synthetic = new ArrayList<>();
        for (JsonNode kv : leasesInEtcd()) {
            if (isSynthetic(publicIp(decode(kv.path("value").asText())))) {
                synthetic.add(kv);
            }
        }
        if (synthetic.isEmpty()) {
            throw new IllegalStateException("no synthetic lease under " + subnetsPrefix + " to change: load first");
        }
        // Even for joins: the last change puts back what the one before deleted.
        int changes = joins ? (rate * seconds + 1) / 2 * 2 : rate * seconds;
        long periodNs = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long latestNs = 0;
        for (int change = 0; change < changes; change++) {
            long due = start + change * periodNs;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            latestNs = Math.max(latestNs, System.nanoTime() - due);
            JsonNode kv = synthetic.get((joins ? change / 2 : change) % synthetic.size());
            String key = new String(Base64.getDecoder().decode(kv.path("key").asText()), StandardCharsets.UTF_8);
            int original = publicIp(decode(kv.path("value").asText()));
            String subnet = key.substring(subnetsPrefix.length());
            long epoch = 2 + change;
            if (joins && change % 2 == 0) {
                post("/v3/kv/deleterange", JSON.createObjectNode().put("key", kv.path("key").asText()));
            } else if (joins) {
                post("/v3/kv/put", put(key, value(original, subnet, epoch), kv.path("lease").asText()));
            } else {
                boolean firstPass = change / synthetic.size() % 2 == 0;
                post("/v3/kv/put", put(key, value(firstPass ? original ^ CHURN_BIT : original, subnet, epoch),
                    kv.path("lease").asText()));
            }
        }
        System.out.printf("CHURNED %d %.3f %d%n", changes, (System.nanoTime() - start) / 1e9, latestNs / 1_000_000);
    }

    /** The first {@code count} subnets of the network after its first that are not {@code taken}. */
    static List<Integer> freeSubnets(String network, int subnetLength, Set<Integer> taken, int count) {
        Ipv4Prefix prefix = Ipv4Prefix.parse(network);
        int base = prefix.address();
        long subnetCount = 1L << (subnetLength - prefix.length());
        List<Integer> free = new ArrayList<>();
        for (long index = 1; index < subnetCount && free.size() < count; index++) {
            int subnet = base + (int) (index << (32 - subnetLength));
            if (!taken.contains(subnet)) {
                free.add(subnet);
            }
        }
        if (free.size() < count) {
            throw new IllegalArgumentException(network + " has " + free.size() + " free subnets of /" + subnetLength
                + ", not " + count);
        }
        return free;
    }

    static boolean isSynthetic(int publicIp) {
        return (publicIp & SYNTHETIC_MASK) == SYNTHETIC_BASE;
    }

    /** "10.244.0.8-29", as flannel names a lease's key. */
    static String subnetKey(int subnet, int subnetLength) {
        return Ipv4Addresses.format(subnet) + "-" + subnetLength;
    }

    /**
     * flanneld's value of a lease with weft's backend data: {@code {"PublicIP":"...","PublicIPv6":null,
     * "BackendData":{"WeftKey":"...","WeftEpoch":n}}}. The node key is the subnet's own, as a node keeps its key file
     * across restarts: any 32 bytes are an X25519 public key, so SHA-256 of the subnet's name makes one.
     */
    static String value(int publicIp, String subnet, long epoch) {
        return "{\"PublicIP\":\"" + Ipv4Addresses.format(publicIp) + "\",\"PublicIPv6\":null,\"BackendData\":"
            + "{\"WeftKey\":\"" + Base64.getEncoder().encodeToString(sha256(subnet)) + "\",\"WeftEpoch\":" + epoch
            + "}}";
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private Set<Integer> takenSubnets() throws IOException, InterruptedException {
        Set<Integer> taken = new HashSet<>();
        for (JsonNode kv : leasesInEtcd()) {
            String key = new String(Base64.getDecoder().decode(kv.path("key").asText()), StandardCharsets.UTF_8);
            String name = key.substring(subnetsPrefix.length());
            taken.add(Ipv4Addresses.parse(name.substring(0, name.indexOf('-'))));
        }
        return taken;
    }

    private JsonNode leasesInEtcd() throws IOException, InterruptedException {
        byte[] prefix = subnetsPrefix.getBytes(StandardCharsets.UTF_8);
        byte[] end = prefix.clone();
        end[end.length - 1]++;
        ObjectNode range = JSON.createObjectNode().put("key", Base64.getEncoder().encodeToString(prefix))
            .put("range_end", Base64.getEncoder().encodeToString(end));
        return post("/v3/kv/range", range).path("kvs");
    }

    private static ObjectNode put(String key, String value, String lease) {
        return JSON.createObjectNode()
            .put("key", Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)))
            .put("value", Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)))
            .put("lease", lease);
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static int publicIp(String leaseValue) throws IOException {
        return Ipv4Addresses.parse(JSON.readTree(leaseValue).path("PublicIP").asText("0.0.0.0"));
    }

    private JsonNode post(String path, ObjectNode body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(endpoint + path))
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("etcd " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
