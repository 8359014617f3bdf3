/**
 * The packet path: a {@code Lane} is one thread over one TUN queue, one receive socket and one send socket.
 * {@code TunReader} moves packets from flannel0 to peers (route lookup, TTL, TSO split, UDP GSO batches),
 * {@code UdpReceiver} moves datagrams to flannel0 (the {@code InboundCheck}, GRO coalescing). They share only the
 * {@code PeerTable}'s snapshot, which the {@code RouteUpdater} publishes from lease events. Nothing here allocates
 * or locks per packet; every drop is a {@code DataplaneCounter}.
 */
package io.weft.dataplane.lane;
