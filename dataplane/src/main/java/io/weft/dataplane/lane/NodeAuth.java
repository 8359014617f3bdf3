package io.weft.dataplane.lane;

import io.weft.auth.NodeKey;
import io.weft.auth.TrafficKey;
import io.weft.log.Log;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Addresses;
import java.util.Locale;

/**
 * This node's side of authenticated encapsulation (issue 20): its key, the epoch of this start, which is part of
 * every traffic key it sends with so that counters starting again at 0 never reuse a nonce, and the mode.
 */
public final class NodeAuth {
    /** No authentication: every peer is served as flannel serves it. */
    public static final NodeAuth OFF = new NodeAuth(AuthMode.OFF, false, null, 0, 1);

    private final AuthMode mode;
    private final boolean encrypt;
    private final NodeKey key;
    private final long epoch;
    private final String publicKeyBase64;
    private final int lanes;

    /**
     * @param epoch positive and larger than any earlier start's: the start time in milliseconds does.
     * @param lanes this node's lanes, each with a counter of its own per peer.
     */
    public NodeAuth(final AuthMode mode, final boolean encrypt, final NodeKey key, final long epoch,
        final int lanes) {
        this.lanes = lanes;
        this.mode = mode;
        this.encrypt = encrypt;
        this.key = key;
        this.epoch = epoch;
        this.publicKeyBase64 = key == null ? null : key.publicKeyBase64();
    }

    public AuthMode mode() {
        return mode;
    }

    boolean encrypt() {
        return encrypt;
    }

    /** What our lease says of us: the key and epoch when we authenticate. */
    public BackendData backendData(final boolean partialChecksums) {
        return mode.enabled() ? new BackendData(partialChecksums, publicKeyBase64, epoch)
            : BackendData.partialChecksums(partialChecksums);
    }

    /**
     * The traffic keys with the node of {@code lease}, or null when it advertises no key or we do not authenticate.
     * X25519 and HKDF run here, on the control thread, once per peer key and epoch.
     */
    PeerAuth peerAuth(final Lease lease) {
        final BackendData data = lease.backendData();
        if (!mode.enabled() || !data.hasKey() || data.key().equals(publicKeyBase64)) {
            return null;
        }
        final byte[] peerKey = data.keyBytes();
        final byte[] ours = key.publicKey();
        final byte[] secret;
        try {
            secret = key.sharedSecret(peerKey);
        } catch (final RuntimeException e) {
            Log.warn("node " + Ipv4Addresses.format(lease.publicIp()) + " advertises a key no secret can be agreed"
                + " with (" + e.getMessage() + "): its datagrams are refused");
            return PeerAuth.unusable(lease.publicIp(), data.key(), data.epoch());
        }
        return new PeerAuth(lease.publicIp(), data.key(), data.epoch(),
            TrafficKey.derive(secret, ours, peerKey, epoch, data.epoch()),
            TrafficKey.derive(secret, peerKey, ours, data.epoch(), epoch), lanes);
    }

    @Override
    public String toString() {
        return mode == AuthMode.OFF ? "off" : mode.name().toLowerCase(Locale.ROOT) +
            (encrypt ? ", encrypted" : "") + ", key " + publicKeyBase64.substring(0, 8) + "..., epoch " + epoch;
    }
}
