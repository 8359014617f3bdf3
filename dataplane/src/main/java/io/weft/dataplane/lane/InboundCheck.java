package io.weft.dataplane.lane;

import io.weft.dataplane.packet.Ipv4Header;
import io.weft.routing.Ipv4Prefix;
import io.weft.routing.RouteSnapshot;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Decides whether a datagram from a peer may be written to the TUN: exactly one well-formed IPv4 packet, sent by
 * another node that leases its source address or whose underlay address it is (anti-spoofing), addressed to this
 * node's subnet, with TTL left. Pure logic
 * over the packet bytes, so it is tested without devices.
 */
final class InboundCheck {
    private final int ownSubnetAddress;
    private final int ownSubnetMask;
    private final int ownPublicIp;
    private final Ipv4Header header = new Ipv4Header();

    InboundCheck(final Ipv4Prefix ownSubnet, final int ownPublicIp) {
        this.ownPublicIp = ownPublicIp;
        this.ownSubnetAddress = ownSubnet.address();
        this.ownSubnetMask = ownSubnet.length() == 0 ? 0 : -1 << (32 - ownSubnet.length());
    }

    /**
     * The reason to refuse the datagram, or null to deliver it, in which case its TTL has been decremented.
     * {@code truncated} says the datagram did not fit the receive buffer.
     */
    DataplaneCounter check(final UnsafeBuffer packet, final int length, final boolean truncated, final int sender,
        final PeerTable.Peers view) {
        header.wrap(packet);
        if (length == 0) {
            return DataplaneCounter.DROP_EMPTY;
        }
        if (length < Ipv4Header.MIN_LENGTH) {
            return DataplaneCounter.DROP_TOO_SHORT;
        }
        if (truncated) {
            return DataplaneCounter.DROP_OVERSIZE;
        }
        if (header.version() != 4) {
            return DataplaneCounter.DROP_NOT_IPV4;
        }
        final int headerLength = header.headerLength();
        if (headerLength < Ipv4Header.MIN_LENGTH || headerLength > length) {
            return DataplaneCounter.DROP_BAD_HEADER_LENGTH;
        }
        if (header.totalLength() != length) {
            return DataplaneCounter.DROP_BAD_TOTAL_LENGTH;
        }
        if (!header.hasValidChecksum()) {
            return DataplaneCounter.DROP_BAD_CHECKSUM;
        }
        if (sender == ownPublicIp) {
            // No weftd sends to itself (the kernel routes our subnet to cni0), so this is a local process, with no
            // privilege needed, dressing a packet up as one of our pods' or as another node's.
            return DataplaneCounter.DROP_FROM_THIS_NODE;
        }
        final RouteSnapshot<Peer> routes = view.routes();
        final int source = header.source();
        final int route = routes.lookup(source);
        final boolean fromSendersSubnet = route != RouteSnapshot.NO_ROUTE && routes.value(route).publicIp() == sender;
        // The sending node's own host traffic, unmasqueraded, carries its underlay address (a host-network client,
        // or a ClusterIP DNAT'd to a pod here without kube-proxy masquerading); flanneld delivers it, and the outer
        // source proves that address: it is the node's, like its subnet. No other node's address passes.
        final boolean fromSendersHost = source == sender && view.isKnownSender(sender);
        if (!fromSendersSubnet && !fromSendersHost) {
            return view.isKnownSender(sender)
                ? DataplaneCounter.DROP_SPOOFED_SOURCE
                : DataplaneCounter.DROP_UNKNOWN_SENDER;
        }
        if ((header.destination() & ownSubnetMask) != ownSubnetAddress) {
            return DataplaneCounter.DROP_NOT_FOR_THIS_NODE;
        }
        if (!header.decrementTtl()) {
            return DataplaneCounter.DROP_TTL_EXPIRED;
        }
        return null;
    }
}
