package io.weft.dataplane.node;

import io.weft.dataplane.lane.LaneResources;
import io.weft.routing.Ipv4Prefix;
import java.util.HashMap;
import java.util.Map;

/**
 * What a running weftd tells its successor with the descriptors it hands over: how many lanes they make, the
 * offloads found on them, the device and subnet they serve, the etcd lease that keeps the subnet's key (0: none),
 * for the successor to adopt, and with --auth its key, its epoch and where the successor's counters start, so that
 * the successor seals under the same traffic keys (the other nodes see no change) with nonces the running weftd never
 * uses. One line of {@code name=value} words; unknown names are ignored, so either side may be the newer version.
 *
 * @param authKey     the running weftd's public key (base64), or null with --auth=off
 * @param authCounter    the first counter the successor may seal with
 * @param authNonceLanes where the successor's lane numbers in nonces start (the half the running weftd does not use)
 */
record HandoverOffer(int lanes, String tunName, Ipv4Prefix subnet, long leaseId, boolean offloadWanted,
    boolean tunTso, boolean tunUso, boolean udpGso, boolean udpGro, String authKey, long authEpoch,
    long authCounter, int authNonceLanes) {

    static HandoverOffer of(final LaneResources resources, final String tunName, final Ipv4Prefix subnet,
        final long leaseId, final String authKey, final long authEpoch, final long authCounter,
        final int authNonceLanes) {
        final LaneResources.OffloadStatus offloads = resources.offloads;
        return new HandoverOffer(resources.lanes(), tunName, subnet, leaseId, offloads.wanted(), offloads.tunTso(),
            offloads.tunUso(), offloads.udpGso(), offloads.udpGro(), authKey, authEpoch, authCounter, authNonceLanes);
    }

    boolean hasAuth() {
        return authKey != null;
    }

    LaneResources.OffloadStatus offloads() {
        return LaneResources.OffloadStatus.handed(offloadWanted, tunTso, tunUso, udpGso, udpGro);
    }

    String encode() {
        return "lanes=" + lanes + " tun=" + tunName + " subnet=" + subnet + " lease=" + Long.toHexString(leaseId) +
            " offload=" + offloadWanted + " tunTso=" + tunTso + " tunUso=" + tunUso + " udpGso=" + udpGso +
            " udpGro=" + udpGro + (authKey == null ? "" : " authKey=" + authKey + " authEpoch=" + authEpoch +
            " authCounter=" + Long.toHexString(authCounter) + " authNonceLanes=" + authNonceLanes);
    }

    /** @throws IllegalArgumentException naming what is missing or malformed. */
    static HandoverOffer decode(final String text) {
        final Map<String, String> words = new HashMap<>();
        for (final String word : text.strip().split(" +")) {
            final int equals = word.indexOf('=');
            if (equals > 0) {
                words.put(word.substring(0, equals), word.substring(equals + 1));
            }
        }
        try {
            final String authKey = words.get("authKey");
            return new HandoverOffer(Integer.parseInt(required(words, "lanes")), required(words, "tun"),
                Ipv4Prefix.parse(required(words, "subnet")), Long.parseUnsignedLong(required(words, "lease"), 16),
                bool(words, "offload"), bool(words, "tunTso"), bool(words, "tunUso"), bool(words, "udpGso"),
                bool(words, "udpGro"), authKey, authKey == null ? 0 : Long.parseLong(required(words, "authEpoch")),
                authKey == null ? 0 : Long.parseLong(required(words, "authCounter"), 16),
                authKey == null ? 0 : Integer.parseInt(required(words, "authNonceLanes")));
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("malformed hand-over offer '" + text + "': " + e.getMessage(), e);
        }
    }

    private static String required(final Map<String, String> words, final String name) {
        final String value = words.get(name);
        if (value == null) {
            throw new IllegalArgumentException("hand-over offer without " + name);
        }
        return value;
    }

    private static boolean bool(final Map<String, String> words, final String name) {
        return Boolean.parseBoolean(required(words, name));
    }
}
