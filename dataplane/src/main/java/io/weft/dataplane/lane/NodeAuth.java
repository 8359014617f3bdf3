package io.weft.dataplane.lane;

import io.weft.auth.AuthHeader;
import io.weft.auth.NodeKey;
import io.weft.auth.TrafficKey;
import io.weft.log.Log;
import io.weft.registry.BackendData;
import io.weft.routing.Ipv4Addresses;
import java.util.Base64;
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
    private final long epoch;
    /** Ours now: replaced whole by the rotation's steps (control thread), read by the table's builder. */
    private volatile OwnKeys keys;
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
        this.epoch = epoch;
        this.keys = key == null ? null : new OwnKeys(key, null);
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

    /** Our current public key in base64, as our lease advertises it; null when authentication is off. */
    public String publicKey() {
        final OwnKeys current = keys;
        return current == null ? null : current.current().publicKeyBase64();
    }

    /** Our keys now; null when authentication is off. */
    public OwnKeys keys() {
        return keys;
    }

    /** A rotation's first step: {@code next} is advertised beside our key and opens datagrams sealed for it. */
    public synchronized void announce(final NodeKey next) {
        keys = new OwnKeys(keys.current(), next);
    }

    /** A rotation's second step: we seal with the key announced, and still open with the one before it. */
    public synchronized void switchToOther() {
        if (keys.other() == null) {
            throw new IllegalStateException("no key announced to switch to");
        }
        keys = new OwnKeys(keys.other(), keys.current());
    }

    /** A rotation's last step: the key before is forgotten. */
    public synchronized void retireOther() {
        keys = new OwnKeys(keys.current(), null);
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

    /** What our lease says of us: the keys and epoch when we authenticate. */
    public BackendData backendData(final boolean partialChecksums) {
        final OwnKeys current = keys;
        return mode.enabled() ? new BackendData(partialChecksums, current.current().publicKeyBase64(), epoch,
            current.other() == null ? null : current.other().publicKeyBase64())
            : BackendData.partialChecksums(partialChecksums);
    }

    /**
     * The traffic keys with {@code peerKey}, one of the keys the node at {@code publicIp} advertises (its current or
     * its other one), from {@code ours}; null when we do not authenticate or the key is one of ours (our own lease).
     * X25519 and HKDF run here, on the control thread, once per peer key and epoch and set of our keys.
     *
     * @param inBulk whether this is one of many agreed at once ({@link NodeKey#sharedSecretInBulk}).
     */
    PeerAuth peerAuth(final int publicIp, final String peerKey, final long peerEpoch, final OwnKeys ours,
        final PeerAuth.ReplayWindows windows, final boolean inBulk) {
        if (!mode.enabled() || ours.isOurs(peerKey)) {
            return null;
        }
        final byte[] peerKeyBytes = Base64.getDecoder().decode(peerKey);
        final int peerKeyId = NodeKey.idOf(peerKeyBytes);
        try {
            final NodeKey current = ours.current();
            final byte[] secret = sharedSecret(current, peerKeyBytes, inBulk);
            final NodeKey other = ours.other();
            return new PeerAuth(publicIp, peerKey, peerEpoch, peerKeyId, current.id(),
                TrafficKey.derive(secret, current.publicKey(), peerKeyBytes, epoch, peerEpoch),
                TrafficKey.derive(secret, peerKeyBytes, current.publicKey(), peerEpoch, epoch),
                other == null ? 0 : other.id(),
                other == null ? null : TrafficKey.derive(sharedSecret(other, peerKeyBytes, inBulk), peerKeyBytes,
                    other.publicKey(), peerEpoch, epoch),
                windows);
        } catch (final RuntimeException e) {
            Log.warn("node " + Ipv4Addresses.format(publicIp) + " advertises a key no secret can be agreed"
                + " with (" + e.getMessage() + "): its datagrams are refused");
            return PeerAuth.unusable(publicIp, peerKey, peerEpoch, peerKeyId, windows);
        }
    }

    private static byte[] sharedSecret(final NodeKey ours, final byte[] peerKey, final boolean inBulk) {
        return inBulk ? ours.sharedSecretInBulk(peerKey) : ours.sharedSecret(peerKey);
    }

    /** Our keys at one moment: the one we seal with and advertise first and, while we rotate, the other. */
    public record OwnKeys(NodeKey current, NodeKey other) {
        boolean isOurs(final String publicKey) {
            return current.publicKeyBase64().equals(publicKey)
                || other != null && other.publicKeyBase64().equals(publicKey);
        }
    }

    @Override
    public String toString() {
        return mode == AuthMode.OFF ? "off" : mode.name().toLowerCase(Locale.ROOT) +
            (encrypt ? ", encrypted" : "") + ", key " + publicKey().substring(0, 8) + "..., epoch " + epoch;
    }
}
