/**
 * The packet path: a {@code Lane} is one thread over one TUN queue, one receive socket and one send socket.
 * {@code TunReader} moves packets from flannel0 to peers (route lookup, TTL, TSO split, UDP GSO batches),
 * {@code UdpReceiver} moves datagrams to flannel0 (the {@code InboundCheck}, GRO coalescing). They share only the
 * {@code PeerTable}'s snapshot, which the {@code RouteUpdater} publishes from lease events. A lane is made from
 * its own {@code LaneIo} (the fds) and the {@code LaneContext} all lanes share. Nothing here allocates or locks per
 * packet; every drop is a {@code DataplaneCounter}. The tests drive the agents by hand over a TUN stand-in and
 * loopback UDP, without root.
 */
package io.weft.dataplane.lane;
