package io.weft.soak.observe;

/** A direction of probing: from one pod to another, by pod id ({@code n1/a}). */
public record Pair(String from, String to) implements Comparable<Pair> {
    /** The node of a pod id. */
    public static String node(String podId) {
        int slash = podId.indexOf('/');
        return slash < 0 ? podId : podId.substring(0, slash);
    }

    public boolean involves(String node) {
        return node(from).equals(node) || node(to).equals(node);
    }

    @Override
    public int compareTo(Pair other) {
        int byFrom = from.compareTo(other.from);
        return byFrom != 0 ? byFrom : to.compareTo(other.to);
    }

    @Override
    public String toString() {
        return from + "->" + to;
    }
}
