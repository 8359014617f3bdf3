package io.weft.dataplane;

/** Where packets for one leased subnet go: the node's underlay address and UDP port. A route table value. */
record Peer(int publicIp, int port)
{
}
