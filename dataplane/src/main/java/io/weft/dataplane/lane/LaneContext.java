package io.weft.dataplane.lane;

/**
 * What the lanes of one node share, made once by the daemon.
 *
 * @param peers          the lease snapshot every lane reads once per batch.
 * @param offloads       the offloads found at start; a lane takes them as they are when it is made.
 * @param batch          datagrams per sendmmsg and recvmmsg; 1 is flannel's one packet per system call.
 * @param idlePollMicros with {@link EpollIdleStrategy.Mode#BACKOFF}, how long a lane polls before it blocks.
 */
public record LaneContext(PeerTable peers, NodeAddresses node, LaneResources.OffloadStatus offloads, int batch,
    EpollIdleStrategy.Mode idle, int idlePollMicros) {
}
