package io.weft.soak.cluster;

/** A pod of a {@link SoakCluster}: the node it runs on, its name there, and the address its CNI plugin gave it. */
public record ClusterPod(ClusterNode node, String name, String ip) {
    /** {@code n3/a}: node and pod, as the report names a pod. */
    public String id() {
        return node.name() + "/" + name;
    }

    @Override
    public String toString() {
        return id() + "(" + ip + ")";
    }
}
