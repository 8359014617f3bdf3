package io.weft.dataplane.lane;

/**
 * What the lanes of one node share, made once by the daemon.
 *
 * @param peers          the lease snapshot every lane reads once per batch.
 * @param offloads       the offloads found at start; a lane takes them as they are when it is made.
 * @param batch          datagrams per sendmmsg and recvmmsg; 1 is flannel's one packet per system call.
 * @param idlePollMicros with {@link EpollIdleStrategy.Mode#BACKOFF} or {@code ADAPTIVE}, how long a lane polls before
 *                       it blocks.
 * @param auth           whether and how datagrams are authenticated ({@link NodeAuth#OFF}: never).
 */
public record LaneContext(PeerTable peers, NodeAddresses node, LaneResources.OffloadStatus offloads, int batch,
    EpollIdleStrategy.Mode idle, int idlePollMicros, NodeAuth auth) {
    public LaneContext(final PeerTable peers, final NodeAddresses node, final LaneResources.OffloadStatus offloads,
        final int batch, final EpollIdleStrategy.Mode idle, final int idlePollMicros) {
        this(peers, node, offloads, batch, idle, idlePollMicros, NodeAuth.OFF);
    }
}
