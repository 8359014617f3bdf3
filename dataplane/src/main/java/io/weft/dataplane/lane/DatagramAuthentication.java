package io.weft.dataplane.lane;

import io.weft.auth.AuthHeader;
import io.weft.auth.DatagramOpen;
import io.weft.auth.LaneOpen;
import io.weft.auth.ReplayWindow;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A lane's receiving side of --auth: a sealed datagram must come from a node whose key we hold, open with it and
 * carry a counter its sender lane has not used; a bare one (flannel's) passes only from a node without a key, and
 * never under --auth=required. Every refusal is counted under its reason. Not thread-safe: one per lane.
 */
final class DatagramAuthentication implements AutoCloseable {
    private final LaneOpen open = new LaneOpen();
    private final DataplaneCounters counters;
    /** Where the inner packet starts in the slot after {@link #authenticate} accepted: past the header if sealed. */
    private int packetOffset;

    DatagramAuthentication(final DataplaneCounters counters) {
        this.counters = counters;
    }

    /**
     * The length of the inner packet of the datagram at {@code offset} of {@code slot}, then left in clear at
     * {@link #packetOffset()}, or -1 when it is refused (and counted).
     */
    int authenticate(final PeerTable.Peers view, final UnsafeBuffer slot, final int offset, final int length,
        final boolean truncated, final int sender) {
        packetOffset = offset;
        final PeerAuth auth = view.authOf(sender);
        if (length == 0 || !AuthHeader.isAuthenticated(slot.getByte(offset) & 0xFF)) {
            if (auth != null || view.mode() == AuthMode.REQUIRED) {
                return refuse(DataplaneCounter.DROP_UNAUTHENTICATED);
            }
            return length;
        }
        if (auth == null || !auth.usable()) {
            return refuse(DataplaneCounter.DROP_AUTH_UNKNOWN_KEY);
        }
        if (truncated || length < AuthHeader.OVERHEAD) {
            return refuse(DataplaneCounter.DROP_AUTH_MALFORMED);
        }
        final long address = slot.addressOffset() + offset;
        // Which of the sender's keys, and which of ours, it sealed under: two of each are held while either rotates.
        final PeerAuth keyed = view.authOf(sender, auth, AuthHeader.keyId(address));
        final byte[] receiveKey = keyed == null ? null : keyed.receiveKey(AuthHeader.receiverKeyId(address));
        if (receiveKey == null) {
            return refuse(DataplaneCounter.DROP_AUTH_UNKNOWN_KEY);
        }
        final int senderLane = AuthHeader.lane(address);
        final long counter = AuthHeader.counter(address);
        final ReplayWindow seen = keyed.windowIfAny(senderLane);
        if (seen != null && !seen.isFresh(counter)) {
            return refuse(DataplaneCounter.DROP_REPLAYED);
        }
        final int packetLength = open.open(receiveKey, address, length);
        if (packetLength < 0) {
            return refuse(packetLength == DatagramOpen.BAD_TAG
                ? DataplaneCounter.DROP_AUTH_FAILED : DataplaneCounter.DROP_AUTH_MALFORMED);
        }
        // Marked only once the tag holds, so a forger can neither fill a window nor make one.
        if (!keyed.window(senderLane).markSeen(counter)) {
            return refuse(DataplaneCounter.DROP_REPLAYED);
        }
        counters.increment(DataplaneCounter.UDP_RX_OPENED);
        packetOffset = offset + AuthHeader.LENGTH;
        return packetLength;
    }

    int packetOffset() {
        return packetOffset;
    }

    private int refuse(final DataplaneCounter reason) {
        counters.increment(reason);
        return -1;
    }

    @Override
    public void close() {
        open.close();
    }
}
