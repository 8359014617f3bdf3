package io.weft.dataplane.lane;

import io.weft.auth.AuthHeader;
import io.weft.auth.NodeKey;
import io.weft.auth.TrafficKey;
import io.weft.log.Log;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.routing.Ipv4Addresses;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * This node's side of authenticated encapsulation (issue 20): its key, the epoch of this start, which is part of
 * every traffic key it sends with so that counters starting again at 0 never reuse a nonce, and the mode.
 */
public final class NodeAuth {
    /** No authentication: every peer is served as flannel serves it. */
    public static final NodeAuth OFF = new NodeAuth(AuthMode.OFF, false, null, 0, 1, 0, 0);
    /**
     * The halves of the nonce's lane numbers: a successor that keeps the epoch takes the half its predecessor did
     * not use, so the other nodes' replay windows of the two processes, which forward side by side for a moment,
     * are apart (its counters start far past the predecessor's, which would otherwise leave the predecessor's last
     * datagrams behind a window).
     */
    public static final int NONCE_LANE_HALF = 128;

    private final AuthMode mode;
    private final boolean encrypt;
    private final NodeKey key;
    private final long epoch;
    private final String publicKeyBase64;
    /** Longs per lane in {@link #laneCounters}: a cache line, so lanes do not share one. */
    private static final int COUNTER_STRIDE = 8;
    /**
     * Per lane, the counter of the next datagram it seals, to any peer: counted up by its lane only, raised by the
     * control thread past what a successor may use (a hand-over keeps the epoch, so the keys). Counting for all peers
     * together, not per peer, is what makes a nonce unique under each key whatever becomes of a peer's lease (gone
     * and back, its state made anew): each key is ours to one peer under both sides' epochs, and our epoch is ours.
     */
    private final AtomicLongArray laneCounters;
    private final int nonceLaneBase;

    /**
     * @param epoch       positive and never used by an earlier start (random); or the predecessor's, with
     *                    {@code counterBase} past every counter it may use.
     * @param lanes       this node's lanes, each with a counter of its own per peer.
     * @param counterBase the first counter of every traffic key.
     * @param nonceLaneBase 0 or {@link #NONCE_LANE_HALF}: added to our lanes' numbers in nonces.
     */
    public NodeAuth(final AuthMode mode, final boolean encrypt, final NodeKey key, final long epoch,
        final int lanes, final long counterBase, final int nonceLaneBase) {
        if (lanes > NONCE_LANE_HALF || nonceLaneBase != 0 && nonceLaneBase != NONCE_LANE_HALF) {
            throw new IllegalArgumentException("lanes " + lanes + ", nonce lane base " + nonceLaneBase);
        }
        this.nonceLaneBase = nonceLaneBase;
        this.laneCounters = new AtomicLongArray(lanes * COUNTER_STRIDE);
        raiseCounters(counterBase);
        this.mode = mode;
        this.encrypt = encrypt;
        this.key = key;
        this.epoch = epoch;
        this.publicKeyBase64 = key == null ? null : key.publicKeyBase64();
    }

    public AuthMode mode() {
        return mode;
    }

    public long epoch() {
        return epoch;
    }

    public int nonceLaneBase() {
        return nonceLaneBase;
    }

    /** Our public key in base64, as our lease advertises it; null when authentication is off. */
    public String publicKey() {
        return publicKeyBase64;
    }

    /** The nonce of the next datagram lane {@code lane} seals: the lane (in our half), then its counter. */
    long nextNonce(final int lane) {
        final long counter = laneCounters.getAndIncrement(lane * COUNTER_STRIDE);
        return (long)(nonceLaneBase + lane) << AuthHeader.LANE_SHIFT | counter;
    }

    /** The highest counter any lane has taken or takes next. */
    public long maxCounter() {
        long max = 0;
        for (int i = 0; i < laneCounters.length(); i += COUNTER_STRIDE) {
            max = Math.max(max, laneCounters.get(i));
        }
        return max;
    }

    /** Every lane's next counter at least {@code floor}: a successor that did not take over may have used those. */
    public void raiseCounters(final long floor) {
        for (int i = 0; i < laneCounters.length(); i += COUNTER_STRIDE) {
            long current = laneCounters.get(i);
            while (current < floor && !laneCounters.compareAndSet(i, current, floor)) {
                current = laneCounters.get(i);
            }
        }
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
            TrafficKey.derive(secret, peerKey, ours, data.epoch(), epoch));
    }

    @Override
    public String toString() {
        return mode == AuthMode.OFF ? "off" : mode.name().toLowerCase(Locale.ROOT) +
            (encrypt ? ", encrypted" : "") + ", key " + publicKeyBase64.substring(0, 8) + "..., epoch " + epoch;
    }
}
