package io.weft.soak.observe;

/** A subnet audit result that held over one or more checks, about a node: first and last seen, and how often. */
public record AuditFinding(String kind, String node, String detail, long firstMicros, long lastMicros, int times) {
}
