package io.weft.dataplane;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import io.weft.routing.RouteSnapshot;
import io.weft.tun.TunDevice;
import io.weft.tun.UdpSocket;

/**
 * TUN to UDP: reads packets the kernel routed into the overlay, finds the node leasing the destination and sends
 * the packet, unchanged but for its TTL, as the payload of one UDP datagram to that node's backend port.
 */
final class TunReader implements Agent
{
    static final int BATCH_LIMIT = 64;

    private final TunDevice tun;
    private final UdpSocket socket;
    private final PeerTable peers;
    private final int ownPublicIp;
    private final DataplaneCounters counters;
    private final IcmpUnreachable icmp;
    private final NanoClock clock;
    private final String roleName;
    private final PacketBuffer packet = new PacketBuffer(PacketBuffer.MAX_PACKET_LENGTH);
    private final PacketBuffer reply = new PacketBuffer(Ipv4Header.MIN_LENGTH + IcmpUnreachable.ICMP_HEADER_LENGTH + 68);
    private final Ipv4Header header = new Ipv4Header();

    TunReader(final TunDevice tun, final UdpSocket socket, final PeerTable peers, final int ownPublicIp,
        final DataplaneCounters counters, final IcmpUnreachable icmp, final NanoClock clock, final String roleName)
    {
        this.tun = tun;
        this.socket = socket;
        this.peers = peers;
        this.ownPublicIp = ownPublicIp;
        this.counters = counters;
        this.icmp = icmp;
        this.clock = clock;
        this.roleName = roleName;
        header.wrap(packet.buffer);
    }

    @Override
    public int doWork()
    {
        final RouteSnapshot<Peer> routes = peers.current().routes();
        int work = 0;
        while (work < BATCH_LIMIT)
        {
            final int length = tun.read(packet.address, packet.capacity);
            if (length == 0)
            {
                break;
            }
            if (length < 0)
            {
                counters.increment(DataplaneCounter.DROP_TUN_READ_ERROR);
                break;
            }
            work++;
            forward(routes, length);
        }
        return work;
    }

    private void forward(final RouteSnapshot<Peer> routes, final int length)
    {
        counters.increment(DataplaneCounter.TUN_RX_PACKETS);
        counters.add(DataplaneCounter.TUN_RX_BYTES, length);
        // The kernel only routes IPv4 here, but a link also carries its own IPv6 chatter (router solicitations).
        if (length < Ipv4Header.MIN_LENGTH || header.version() != 4)
        {
            counters.increment(DataplaneCounter.DROP_TUN_NOT_IPV4);
            return;
        }
        final int route = routes.lookup(header.destination());
        if (route == RouteSnapshot.NO_ROUTE)
        {
            counters.increment(DataplaneCounter.DROP_NO_ROUTE);
            answerUnreachable(length);
            return;
        }
        final Peer peer = routes.value(route);
        if (peer.publicIp() == ownPublicIp)
        {
            counters.increment(DataplaneCounter.DROP_ROUTE_TO_SELF);
            return;
        }
        if (!header.decrementTtl())
        {
            counters.increment(DataplaneCounter.DROP_TUN_TTL_EXPIRED);
            return;
        }
        final int sent = socket.sendTo(packet.address, length, peer.publicIp(), peer.port());
        if (sent == length)
        {
            counters.increment(DataplaneCounter.UDP_TX_PACKETS);
            counters.add(DataplaneCounter.UDP_TX_BYTES, length);
        }
        else if (sent == 0)
        {
            counters.increment(DataplaneCounter.DROP_SEND_BUFFER_FULL);
        }
        else
        {
            counters.increment(DataplaneCounter.DROP_SEND_ERROR);
        }
    }

    private void answerUnreachable(final int length)
    {
        if (icmp.shouldAnswer(packet.buffer, clock.nanoTime()))
        {
            final int replyLength = icmp.build(packet.buffer, length, reply.buffer);
            if (tun.write(reply.address, replyLength) == replyLength)
            {
                counters.increment(DataplaneCounter.ICMP_UNREACHABLE_SENT);
            }
        }
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
