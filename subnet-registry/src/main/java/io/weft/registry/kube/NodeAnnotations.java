package io.weft.registry.kube;

import java.util.regex.Pattern;

/**
 * The names of flannel's node annotations under a prefix, normalised as flanneld does it: at most one '/', a prefix
 * without one gets "/" appended ("example.com" is "example.com/"), one with a name part gets "-" ("example.com/x" is
 * "example.com/x-"), and the result must be a DNS name, a '/' and an optional name part.
 */
record NodeAnnotations(String kubeSubnetManager, String backendType, String backendData, String publicIp,
    String publicIpOverwrite) {
    static final String DEFAULT_PREFIX = "flannel.alpha.coreos.com";
    private static final Pattern VALID = Pattern.compile("(?:[a-z0-9_-]+\\.)+[a-z0-9_-]+/(?:[a-z0-9_-]+-)?");

    /** @throws IllegalArgumentException naming the prefix and what form it must have. */
    static NodeAnnotations withPrefix(final String prefix) {
        final long slashes = prefix.chars().filter(c -> c == '/').count();
        if (slashes > 1) {
            throw new IllegalArgumentException("annotation prefix '" + prefix + "' has more than one '/'");
        }
        String normalised = slashes == 0 ? prefix + "/" : prefix;
        if (!normalised.endsWith("/") && !normalised.endsWith("-")) {
            normalised += "-";
        }
        if (!VALID.matcher(normalised).matches()) {
            throw new IllegalArgumentException("annotation prefix '" + prefix +
                "' must be a DNS name, optionally followed by '/' and a lower-case name part");
        }
        return new NodeAnnotations(normalised + "kube-subnet-manager", normalised + "backend-type",
            normalised + "backend-data", normalised + "public-ip", normalised + "public-ip-overwrite");
    }
}
