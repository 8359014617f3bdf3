package io.weft.dataplane.lane;

import io.weft.routing.Ipv4Prefix;

/**
 * Who this node is to its lanes.
 *
 * @param publicIp   the underlay address the node's datagrams leave from and its lease names: a route to it is a
 *                   route to this node.
 * @param subnet     the node's pod subnet: the only destination a datagram from a peer may carry.
 * @param icmpSource the address ICMP errors come from (see {@link io.weft.dataplane.packet.IcmpUnreachable}).
 */
public record NodeAddresses(int publicIp, Ipv4Prefix subnet, int icmpSource) {
}
