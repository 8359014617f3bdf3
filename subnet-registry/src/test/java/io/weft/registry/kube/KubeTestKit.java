package io.weft.registry.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.ContainerImageBuilder;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.weft.registry.Lease;
import io.weft.registry.LeaseListener;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** Nodes as a controller manager and a flanneld would leave them, a registry on the mock, a recording listener. */
final class KubeTestKit {
    static final String PREFIX = "flannel.alpha.coreos.com/";
    static final String NET_CONF = "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"udp\"}}";
    /** A Network with room for the probes' clusters of thousands of nodes, a /24 each ({@link #wideSubnet}). */
    static final String WIDE_NET_CONF = "{\"Network\":\"10.0.0.0/8\",\"Backend\":{\"Type\":\"udp\"}}";
    private static final Duration AWAIT = Duration.ofSeconds(20);

    private KubeTestKit() {
    }

    static KubeLeaseRegistry registry(final MockApiServer api, final Path dir, final String nodeName)
        throws IOException {
        return registry(api.url(), dir, nodeName);
    }

    static KubeLeaseRegistry registry(final String apiUrl, final Path dir, final String nodeName)
        throws IOException {
        final Path netConf = dir.resolve("net-conf.json");
        if (!Files.exists(netConf)) {
            Files.writeString(netConf, NET_CONF);
        }
        return KubeLeaseRegistry.open(KubeRegistryConfig.defaults(nodeName).withApi(apiUrl, null)
            .withNetConfPath(netConf).withTimings(Duration.ofMinutes(5), Duration.ofMillis(50)));
    }

    /** A node as registered by its kubelet, with the podCIDR the controller manager gave it ("" for none yet). */
    static Node node(final String name, final String podCidr) {
        final NodeBuilder builder = new NodeBuilder().withNewMetadata().withName(name).endMetadata();
        builder.withNewSpec().withPodCIDR(podCidr.isEmpty() ? null : podCidr).endSpec();
        return builder.withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
            .addNewCondition().withType("NetworkUnavailable").withStatus("True").withReason("NoRouteCreated")
            .endCondition().endStatus().build();
    }

    /** A node another flanneld (or weftd) has annotated. */
    static Node flannelNode(final String name, final String podCidr, final String backendType, final String publicIp) {
        final Node node = node(name, podCidr);
        node.getMetadata().setAnnotations(new HashMap<>(Map.of(PREFIX + "backend-type", backendType,
            PREFIX + "backend-data", "null", PREFIX + "kube-subnet-manager", "true")));
        if (!publicIp.isEmpty()) {
            node.getMetadata().getAnnotations().put(PREFIX + "public-ip", publicIp);
        }
        return node;
    }

    static void create(final KubernetesClient client, final Node node) {
        client.nodes().resource(node).create();
    }

    /**
     * For the probes: node n1 (our node) and the flannel-annotated nodes n2 to n{@code nodes} in
     * {@link #WIDE_NET_CONF}'s Network, shaped as a real cluster's ({@link #realistic}) when {@code realistic}.
     */
    static void createCluster(final KubernetesClient client, final int nodes, final boolean realistic) {
        final Node ours = node("n1", wideSubnet(1));
        create(client, realistic ? realistic(ours, 1) : ours);
        for (int i = 2; i <= nodes; i++) {
            final Node other = flannelNode("n" + i, wideSubnet(i), "udp",
                "192.168." + (i / 250) + "." + (1 + i % 250));
            create(client, realistic ? realistic(other, i) : other);
        }
    }

    /**
     * For the probes: a registry as node n1 of a cluster of {@code nodes} in {@link #WIDE_NET_CONF}'s Network, once
     * its listener has every node's lease (within {@code deadline}).
     */
    static KubeLeaseRegistry watchingEveryNode(final String apiUrl, final Path dir, final int nodes,
        final RecordingListener listener, final Duration deadline) throws Exception {
        Files.writeString(dir.resolve("net-conf.json"), WIDE_NET_CONF);
        final KubeLeaseRegistry registry = registry(apiUrl, dir, "n1");
        registry.awaitNetworkConfig();
        registry.acquire(ip("192.168.250.1"), null, false);
        registry.watch(listener);
        listener.awaitLatest("every node's lease", leases -> leases.size() >= nodes, deadline);
        return registry;
    }

    static KubeLeaseRegistry watchingEveryNode(final MockApiServer api, final Path dir, final int nodes,
        final RecordingListener listener) throws Exception {
        return watchingEveryNode(api.url(), dir, nodes, listener, AWAIT);
    }

    /** This JVM's heap in use after full collections. */
    static long heapUsedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Prints the first {@code lines} of this JVM's class histogram (jcmd), each line after {@code prefix}. */
    static void printClassHistogram(final String prefix, final int lines) throws IOException {
        final Process jcmd = new ProcessBuilder("jcmd", Long.toString(ProcessHandle.current().pid()),
            "GC.class_histogram").redirectErrorStream(true).start();
        new String(jcmd.getInputStream().readAllBytes()).lines().limit(lines)
            .forEach(line -> System.out.println(prefix + line));
    }

    /** Node {@code n}'s podCIDR in {@link #WIDE_NET_CONF}'s Network, distinct for n up to 65,000. */
    static String wideSubnet(final int n) {
        return "10." + (1 + n / 256) + "." + (n % 256) + ".0/24";
    }

    static Lease lease(final String subnet, final String publicIp) {
        return new Lease(Ipv4Prefix.parse(subnet), Ipv4Addresses.parse(publicIp));
    }

    static int ip(final String dotted) {
        return Ipv4Addresses.parse(dotted);
    }

    static void await(final String what, final BooleanSupplier condition) throws InterruptedException {
        await(what, condition, AWAIT);
    }

    static void await(final String what, final BooleanSupplier condition, final Duration within)
        throws InterruptedException {
        final long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("timed out waiting for " + what).isNegative();
            Thread.sleep(20);
        }
    }

    /** Records every lease set and every re-acquired lease. */
    static final class RecordingListener implements LeaseListener {
        final List<List<Lease>> deliveries = new CopyOnWriteArrayList<>();
        final List<Lease> reacquired = new CopyOnWriteArrayList<>();

        @Override
        public void onLeases(final List<Lease> leases, final long observedNanos) {
            deliveries.add(leases);
        }

        @Override
        public void onOwnLeaseReacquired(final Lease lease) {
            reacquired.add(lease);
        }

        List<Lease> latest() {
            return deliveries.isEmpty() ? null : deliveries.get(deliveries.size() - 1);
        }

        void awaitLatest(final String what, final Predicate<List<Lease>> condition) throws InterruptedException {
            awaitLatest(what, condition, AWAIT);
        }

        void awaitLatest(final String what, final Predicate<List<Lease>> condition, final Duration within)
            throws InterruptedException {
            await(what + " (deliveries " + new ArrayList<>(deliveries) + ")",
                () -> latest() != null && condition.test(latest()), within);
        }
    }

    /** What a kubelet, the scheduler and controllers leave on a node: status, images, managed fields. */
    static Node realistic(final Node node, final int n) {
        final Map<String, String> labels = new HashMap<>();
        labels.put("kubernetes.io/hostname", node.getMetadata().getName());
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", "amd64");
        labels.put("node.kubernetes.io/instance-type", "m5.xlarge");
        labels.put("topology.kubernetes.io/zone", "eu-west-1" + (char) ('a' + n % 3));
        labels.put("topology.kubernetes.io/region", "eu-west-1");
        node.getMetadata().setLabels(labels);
        node.getMetadata().setUid("6f0c3d1e-8a2b-4c5d-9e0f-" + String.format("%012d", n));
        final List<ManagedFieldsEntry> managed = new ArrayList<>();
        for (final String manager : List.of("kubelet", "kube-controller-manager", "flanneld")) {
            final FieldsV1 fields = new FieldsV1();
            final Map<String, Object> tree = new HashMap<>();
            for (int f = 0; f < 30; f++) {
                tree.put("f:" + manager + "-field-" + f, Map.of("f:nested", Map.of(), "f:other", Map.of()));
            }
            fields.setAdditionalProperty("f:metadata", tree);
            managed.add(new ManagedFieldsEntryBuilder().withManager(manager).withOperation("Update")
                .withApiVersion("v1").withTime("2026-12-07T10:00:00Z").withFieldsType("FieldsV1")
                .withFieldsV1(fields).build());
        }
        node.getMetadata().setManagedFields(managed);
        node.getStatus().getConditions().add(new NodeConditionBuilder().withType("MemoryPressure").withStatus("False")
            .withReason("KubeletHasSufficientMemory").withMessage("kubelet has sufficient memory available")
            .withLastHeartbeatTime("2026-12-07T10:00:00Z").withLastTransitionTime("2026-12-01T10:00:00Z").build());
        node.getStatus().getConditions().add(new NodeConditionBuilder().withType("DiskPressure").withStatus("False")
            .withReason("KubeletHasNoDiskPressure").withMessage("kubelet has no disk pressure")
            .withLastHeartbeatTime("2026-12-07T10:00:00Z").withLastTransitionTime("2026-12-01T10:00:00Z").build());
        node.getStatus().getConditions().add(new NodeConditionBuilder().withType("PIDPressure").withStatus("False")
            .withReason("KubeletHasSufficientPID").withMessage("kubelet has sufficient PID available")
            .withLastHeartbeatTime("2026-12-07T10:00:00Z").withLastTransitionTime("2026-12-01T10:00:00Z").build());
        node.getStatus().setAddresses(List.of(new NodeAddressBuilder().withType("InternalIP")
            .withAddress("192.168.0." + n % 250).build(), new NodeAddressBuilder().withType("Hostname")
            .withAddress(node.getMetadata().getName()).build()));
        final Map<String, Quantity> capacity = Map.of("cpu", new Quantity("4"), "memory", new Quantity("16010720Ki"),
            "pods", new Quantity("110"), "ephemeral-storage", new Quantity("101430960Ki"),
            "hugepages-2Mi", new Quantity("0"), "hugepages-1Gi", new Quantity("0"));
        node.getStatus().setCapacity(new HashMap<>(capacity));
        node.getStatus().setAllocatable(new HashMap<>(capacity));
        final List<ContainerImage> images = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            images.add(new ContainerImageBuilder().withNames("registry.example.com/team/app-" + i
                + "@sha256:4b8e6f1c2d3a5b7e9f0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f" + i,
                "registry.example.com/team/app-" + i + ":v1.2." + i).withSizeBytes(10_000_000L + i).build());
        }
        node.getStatus().setImages(images);
        return node;
    }
}
