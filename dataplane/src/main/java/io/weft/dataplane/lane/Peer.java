package io.weft.dataplane.lane;

/**
 * Where packets for one leased subnet go: the node's underlay address and UDP port, and whether its weftd takes inner
 * TCP and UDP packets with the checksum left partial (its lease says so). A route table value.
 */
record Peer(int publicIp, int port, boolean partialChecksums) {
}
