package io.weft.dataplane.lane;

/**
 * Where packets for one leased subnet go: the node's underlay address and UDP port, whether its weftd takes inner
 * TCP and UDP packets with the checksum left partial (its lease says so), and, when both sides authenticate, the
 * keys to seal with (else null: flannel's bare datagrams) and the id of the peer's key to write in each header. A
 * route table value.
 */
record Peer(int publicIp, int port, boolean partialChecksums, PeerAuth auth, int receiverKeyId) {
    Peer(final int publicIp, final int port, final boolean partialChecksums) {
        this(publicIp, port, partialChecksums, null, 0);
    }
}
