package io.weft.soak.cluster;

/** A node of a {@link SoakCluster}: its name and its underlay (public) address, which selects its lease. */
public record ClusterNode(String name, String underlayIp) {
    @Override
    public String toString() {
        return name;
    }
}
