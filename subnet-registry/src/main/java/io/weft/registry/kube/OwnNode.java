package io.weft.registry.kube;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.weft.log.Log;
import io.weft.registry.BackendData;
import io.weft.registry.Json;
import io.weft.routing.Ipv4Addresses;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The writes flanneld makes to its own node: the annotations other nodes read (through nodes/status, the only write
 * kube-flannel's RBAC grants), and the NetworkUnavailable condition set to False once the node's network is up.
 */
final class OwnNode {
    static final String NETWORK_UNAVAILABLE = "NetworkUnavailable";

    private final KubernetesClient client;
    private final String name;
    private final NodeAnnotations names;
    private boolean statusKeepsMetadata = true;

    OwnNode(final KubernetesClient client, final String name, final NodeAnnotations names) {
        this.client = client;
        this.name = name;
        this.names = names;
    }

    /**
     * The annotations the node must carry for our lease; public-ip is the public-ip-overwrite annotation when an
     * operator set one (the address other nodes must send to, as behind NAT), else {@code publicIp}.
     */
    Map<String, String> wanted(final Node node, final int publicIp, final BackendData backendData) {
        final Map<String, String> current = annotations(node);
        final String overwrite = current.get(names.publicIpOverwrite());
        final Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put(names.backendType(), NodeLeases.BACKEND_TYPE);
        wanted.put(names.backendData(), NodeLeases.backendData(backendData));
        wanted.put(names.publicIp(),
            overwrite == null || overwrite.isEmpty() ? Ipv4Addresses.format(publicIp) : overwrite);
        wanted.put(names.kubeSubnetManager(), "true");
        return wanted;
    }

    /** True when the node carries every wanted annotation with its value. */
    static boolean carries(final Node node, final Map<String, String> wanted) {
        final Map<String, String> current = annotations(node);
        for (final Map.Entry<String, String> entry : wanted.entrySet()) {
            if (!entry.getValue().equals(current.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the annotations with a merge patch of nodes/status, as flanneld. An API server that keeps only the
     * status of a status patch (fabric8's mock server does) gets the patch on the node itself from then on.
     */
    void annotate(final Map<String, String> wanted) {
        final ObjectNode patch = Json.object();
        final ObjectNode annotations = patch.putObject("metadata").putObject("annotations");
        wanted.forEach(annotations::put);
        final PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
        if (statusKeepsMetadata) {
            final Node patched = client.nodes().withName(name).status().patch(merge, Json.write(patch));
            if (carries(patched, wanted)) {
                return;
            }
            statusKeepsMetadata = false;
            Log.warn("the API server dropped the annotations patched through nodes/" + name +
                "/status: patching the node itself (this needs RBAC to patch nodes)");
        }
        client.nodes().withName(name).patch(merge, Json.write(patch));
    }

    /**
     * Sets NetworkUnavailable to False (reason FlannelIsUp, as flanneld) unless it is so already. A JSON patch that
     * tests the condition's place in the list first, so a condition the kubelet writes meanwhile is never lost; a
     * failed test is retried on a fresh read.
     */
    void clearNetworkUnavailable() {
        for (int attempt = 0; ; attempt++) {
            final Node node = client.nodes().withName(name).get();
            if (node == null) {
                throw new KubernetesClientException("node " + name + " not found", 404, null);
            }
            final List<NodeCondition> conditions = node.getStatus() == null ? null : node.getStatus().getConditions();
            int index = -1;
            for (int i = 0; conditions != null && i < conditions.size(); i++) {
                if (NETWORK_UNAVAILABLE.equals(conditions.get(i).getType())) {
                    index = i;
                }
            }
            if (index >= 0 && "False".equals(conditions.get(index).getStatus())) {
                return;
            }
            try {
                client.nodes().withName(name).status().patch(PatchContext.of(PatchType.JSON),
                    Json.write(conditionPatch(node, conditions, index)));
                return;
            } catch (final KubernetesClientException e) {
                // 422: the test failed, the list changed under us; 409: a conflicting write.
                if (attempt >= 4 || (e.getCode() != 422 && e.getCode() != 409)) {
                    throw e;
                }
            }
        }
    }

    private static ArrayNode conditionPatch(final Node node, final List<NodeCondition> conditions, final int index) {
        final String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        final ObjectNode condition = Json.object()
            .put("type", NETWORK_UNAVAILABLE)
            .put("status", "False")
            .put("reason", "FlannelIsUp")
            .put("message", "weftd (flannel's udp backend) is running on this node")
            .put("lastTransitionTime", now)
            .put("lastHeartbeatTime", now);
        final ArrayNode ops = Json.array();
        if (index >= 0) {
            ops.addObject().put("op", "test").put("path", "/status/conditions/" + index + "/type")
                .put("value", NETWORK_UNAVAILABLE);
            ops.addObject().put("op", "replace").put("path", "/status/conditions/" + index).set("value", condition);
        } else if (conditions != null && !conditions.isEmpty()) {
            ops.addObject().put("op", "add").put("path", "/status/conditions/-").set("value", condition);
        } else if (node.getStatus() != null) {
            ops.addObject().put("op", "add").put("path", "/status/conditions").putArray("value").add(condition);
        } else {
            ops.addObject().put("op", "add").put("path", "/status").putObject("value").putArray("conditions")
                .add(condition);
        }
        return ops;
    }

    private static Map<String, String> annotations(final Node node) {
        final Map<String, String> current = node.getMetadata().getAnnotations();
        return current == null ? Map.of() : current;
    }
}
