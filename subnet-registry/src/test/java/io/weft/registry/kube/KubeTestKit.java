package io.weft.registry.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.weft.registry.Lease;
import io.weft.registry.LeaseListener;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

    private KubeTestKit() {
    }

    static KubeLeaseRegistry registry(final MockApiServer api, final Path dir, final String nodeName)
        throws IOException {
        final Path netConf = dir.resolve("net-conf.json");
        if (!Files.exists(netConf)) {
            Files.writeString(netConf, NET_CONF);
        }
        return KubeLeaseRegistry.open(KubeRegistryConfig.defaults(nodeName).withApi(api.url(), null)
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
        node.getMetadata().setAnnotations(new java.util.HashMap<>(Map.of(PREFIX + "backend-type", backendType,
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
     * For the probes: a registry as node n1 of a cluster of {@code nodes} in {@link #WIDE_NET_CONF}'s Network, once
     * its listener has every node's lease.
     */
    static KubeLeaseRegistry watchingEveryNode(final MockApiServer api, final Path dir, final int nodes,
        final RecordingListener listener) throws Exception {
        Files.writeString(dir.resolve("net-conf.json"), WIDE_NET_CONF);
        final KubeLeaseRegistry registry = registry(api, dir, "n1");
        registry.awaitNetworkConfig();
        registry.acquire(ip("192.168.250.1"), null, false);
        registry.watch(listener);
        listener.awaitLatest("every node's lease", leases -> leases.size() >= nodes);
        return registry;
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
        final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
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
            await(what + " (deliveries " + new ArrayList<>(deliveries) + ")",
                () -> latest() != null && condition.test(latest()));
        }
    }
}
