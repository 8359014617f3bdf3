package io.weft.registry.kube;

import static io.weft.registry.kube.KubeTestKit.create;
import static io.weft.registry.kube.KubeTestKit.flannelNode;

import io.fabric8.kubernetes.api.model.ContainerImageBuilder;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a test (surefire's default includes leave it out of {@code ./weft test}): the heap in use after
 * a full collection before a kube-mode registry starts and once it holds N nodes shaped as a real cluster's, on
 * fabric8's mock API server, which runs in the same JVM (its own growth is in the figure). Run by hand:
 * {@code mvn -pl subnet-registry verify -Dtest=NodeCacheHeapProbe -Dprobe.nodes=4000}; docs/kubernetes.md has its
 * figures.
 */
class NodeCacheHeapProbe {
    @Test
    void probe() throws Exception {
        final int nodes = Integer.getInteger("probe.nodes", 2000);
        final Path dir = Files.createTempDirectory("probe");
        try (MockApiServer api = MockApiServer.start(); KubernetesClient client = api.client()) {
            create(client, realistic(KubeTestKit.node("n1", KubeTestKit.wideSubnet(1)), 1));
            for (int i = 2; i <= nodes; i++) {
                create(client, realistic(flannelNode("n" + i, KubeTestKit.wideSubnet(i),
                    "udp", "192.168." + (i / 250) + "." + (1 + i % 250)), i));
            }
            System.out.println("PROBE one node's JSON: "
                + io.fabric8.kubernetes.client.utils.Serialization.asJson(client.nodes().withName("n2").get()).length()
                + " chars");
            final long before = usedAfterGc();
            final KubeTestKit.RecordingListener listener = new KubeTestKit.RecordingListener();
            final KubeLeaseRegistry registry = KubeTestKit.watchingEveryNode(api, dir, nodes, listener);
            final long after = usedAfterGc();
            System.out.printf("PROBE nodes=%d heap used after GC: %.1f MB before the registry, %.1f MB with it"
                + " (+%.1f MB, %.1f KB a node)%n", nodes, before / 1e6, after / 1e6, (after - before) / 1e6,
                (after - before) / 1e3 / nodes);
            if (Boolean.getBoolean("probe.histogram")) {
                final Process jcmd = new ProcessBuilder("jcmd", Long.toString(ProcessHandle.current().pid()),
                    "GC.class_histogram").redirectErrorStream(true).start();
                new String(jcmd.getInputStream().readAllBytes()).lines().limit(40)
                    .forEach(line -> System.out.println("PROBE " + line));
            }
            registry.close();
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** What a kubelet, the scheduler and controllers leave on a node: status, images, managed fields. */
    private static Node realistic(final Node node, final int n) {
        final Map<String, String> labels = new HashMap<>();
        labels.put("kubernetes.io/hostname", node.getMetadata().getName());
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", "amd64");
        labels.put("node.kubernetes.io/instance-type", "m5.xlarge");
        labels.put("topology.kubernetes.io/zone", "eu-west-1" + (char) ('a' + n % 3));
        labels.put("topology.kubernetes.io/region", "eu-west-1");
        node.getMetadata().setLabels(labels);
        node.getMetadata().setUid("6f0c3d1e-8a2b-4c5d-9e0f-" + String.format("%012d", n));
        final List<io.fabric8.kubernetes.api.model.ManagedFieldsEntry> managed = new ArrayList<>();
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
        final List<io.fabric8.kubernetes.api.model.ContainerImage> images = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            images.add(new ContainerImageBuilder().withNames("registry.example.com/team/app-" + i
                + "@sha256:4b8e6f1c2d3a5b7e9f0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f" + i,
                "registry.example.com/team/app-" + i + ":v1.2." + i).withSizeBytes(10_000_000L + i).build());
        }
        node.getStatus().setImages(images);
        return node;
    }
}
