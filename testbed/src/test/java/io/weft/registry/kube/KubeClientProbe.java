package io.weft.registry.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Run in a JVM of its own on weftd.jar (KubeClientClassesTest): builds the client as a kube-mode weftd does, with no
 * API server to reach, and reads a node's watch event as fabric8's watch reads it (the event's object is typed by its
 * kind, through the deserializer's registered kinds). Exits 0 when the object came back a Node.
 */
public final class KubeClientProbe {
    private static final String NODE_ADDED = "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Node\","
        + "\"metadata\":{\"name\":\"n1\",\"annotations\":{\"flannel.alpha.coreos.com/public-ip\":\"10.0.0.1\"}},"
        + "\"spec\":{\"podCIDR\":\"10.244.1.0/24\"}}}";

    private KubeClientProbe() {
    }

    public static void main(final String[] args) throws Exception {
        try (KubernetesClient client = KubeClients.build(KubeRegistryConfig.defaults("n1")
            .withApi("http://127.0.0.1:1", null))) {
            final WatchEvent event = client.getKubernetesSerialization().unmarshal(NODE_ADDED, WatchEvent.class);
            if (!(event.getObject() instanceof Node node) || !"10.244.1.0/24".equals(node.getSpec().getPodCIDR())) {
                System.out.println("probe: the watch event's object is " + event.getObject());
                System.exit(2);
            }
        }
        System.out.println("probe: a Node");
    }
}
