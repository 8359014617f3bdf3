package io.weft.registry.etcd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How weftd reaches etcd and keeps its lease, with flanneld's flag names: {@code --etcd-endpoints},
 * {@code --etcd-prefix}, {@code --etcd-cafile}, {@code --etcd-certfile}, {@code --etcd-keyfile},
 * {@code --etcd-username}, {@code --etcd-password}, {@code --subnet-lease-renew-margin} (minutes). Optional values are
 * null when not given. Start from {@link #defaults(List)} and change what differs.
 *
 * @param leaseTtl       TTL of the etcd lease our subnet key is attached to (flannel: 24 h).
 * @param renewMargin    how long before expiry the lease is renewed (flannel: 60 min).
 * @param backoffInitial first wait before retrying etcd after a failure; doubles up to {@code backoffMax}.
 * @param requestTimeout limit of one etcd request, and of connecting.
 * @param configPoll     how often a missing or invalid network config is read again (flannel: 1 s).
 */
public record EtcdRegistryConfig(List<String> endpoints, String prefix, Path caFile, Path certFile, Path keyFile,
    String username, String password, Duration leaseTtl, Duration renewMargin, Duration backoffInitial,
    Duration backoffMax, Duration requestTimeout, Duration configPoll) {
    public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:2379";
    public static final String DEFAULT_PREFIX = "/coreos.com/network";
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofHours(24);
    public static final Duration DEFAULT_RENEW_MARGIN = Duration.ofMinutes(60);
    /** flannel's watch backoff: 100 ms doubling to 5 s. */
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_CONFIG_POLL = Duration.ofSeconds(1);

    public EtcdRegistryConfig {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("--etcd-endpoints is empty");
        }
        for (final String endpoint : endpoints) {
            if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
                throw new IllegalArgumentException("--etcd-endpoints: \"" + endpoint +
                    "\" is not an http:// or https:// URL");
            }
        }
        // flannel joins the prefix with path.Join, which drops a trailing slash.
        while (prefix.length() > 1 && prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (!prefix.startsWith("/") || prefix.length() < 2) {
            throw new IllegalArgumentException("--etcd-prefix \"" + prefix + "\" must be a key path like " +
                DEFAULT_PREFIX);
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("--etcd-certfile and --etcd-keyfile go together");
        }
        if (password != null && username == null) {
            throw new IllegalArgumentException("--etcd-password needs --etcd-username");
        }
        if (leaseTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("lease TTL " + leaseTtl + " is under etcd's unit of one second");
        }
        if (renewMargin.isNegative() || renewMargin.compareTo(leaseTtl) >= 0) {
            throw new IllegalArgumentException("--subnet-lease-renew-margin " + renewMargin.toMinutes() +
                " min must be less than the lease TTL " + leaseTtl);
        }
        requirePositive("backoff", backoffInitial);
        requirePositive("maximum backoff", backoffMax);
        requirePositive("request timeout", requestTimeout);
        requirePositive("config poll interval", configPoll);
    }

    /** flanneld's defaults for everything but the endpoints. */
    public static EtcdRegistryConfig defaults(final List<String> endpoints) {
        return new EtcdRegistryConfig(endpoints, DEFAULT_PREFIX, null, null, null, null, null, DEFAULT_LEASE_TTL,
            DEFAULT_RENEW_MARGIN, DEFAULT_BACKOFF_INITIAL, DEFAULT_BACKOFF_MAX, DEFAULT_REQUEST_TIMEOUT,
            DEFAULT_CONFIG_POLL);
    }

    public EtcdRegistryConfig withPrefix(final String newPrefix) {
        return new EtcdRegistryConfig(endpoints, newPrefix, caFile, certFile, keyFile, username, password, leaseTtl,
            renewMargin, backoffInitial, backoffMax, requestTimeout, configPoll);
    }

    /** TLS: {@code ca} verifies etcd (null: the JVM's trust store); cert and key (PKCS#8 or PKCS#1 PEM) identify us. */
    public EtcdRegistryConfig withTls(final Path ca, final Path cert, final Path key) {
        return new EtcdRegistryConfig(endpoints, prefix, ca, cert, key, username, password, leaseTtl, renewMargin,
            backoffInitial, backoffMax, requestTimeout, configPoll);
    }

    public EtcdRegistryConfig withCredentials(final String user, final String secret) {
        return new EtcdRegistryConfig(endpoints, prefix, caFile, certFile, keyFile, user, secret, leaseTtl,
            renewMargin, backoffInitial, backoffMax, requestTimeout, configPoll);
    }

    public EtcdRegistryConfig withLease(final Duration ttl, final Duration margin) {
        return new EtcdRegistryConfig(endpoints, prefix, caFile, certFile, keyFile, username, password, ttl, margin,
            backoffInitial, backoffMax, requestTimeout, configPoll);
    }

    /** Retry and request timings: weftd keeps the defaults, tests shorten them. */
    EtcdRegistryConfig withTimings(final Duration initialBackoff, final Duration maxBackoff,
        final Duration timeout, final Duration poll) {
        return new EtcdRegistryConfig(endpoints, prefix, caFile, certFile, keyFile, username, password, leaseTtl,
            renewMargin, initialBackoff, maxBackoff, timeout, poll);
    }

    /** {@code <prefix>/config}. */
    public String configKey() {
        return prefix + "/config";
    }

    /** {@code <prefix>/subnets/}, under which every lease is a key such as 10.244.1.0-24. */
    public String subnetsPrefix() {
        return prefix + "/subnets/";
    }

    boolean usesTls() {
        return caFile != null || certFile != null || endpoints.stream().anyMatch(e -> e.startsWith("https://"));
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "etcd " + String.join(",", endpoints) + " prefix " + prefix + (usesTls() ? " TLS" : "") +
            (username == null ? "" : " user " + username) + " lease TTL " + leaseTtl + " renew margin " + renewMargin;
    }

    private static void requirePositive(final String name, final Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " " + value + " must be positive");
        }
    }
}
