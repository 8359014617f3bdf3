package io.weft.dataplane;

import org.agrona.concurrent.Agent;

import io.weft.routing.Ipv4Prefix;
import io.weft.tun.Errno;
import io.weft.tun.TunDevice;
import io.weft.tun.UdpSocket;

/**
 * UDP to TUN: takes datagrams from peers, lets {@link InboundCheck} accept or refuse each, and writes the accepted
 * ones to the TUN. Everything refused is counted under its reason and dropped; the next datagram is processed as if
 * nothing happened.
 */
final class UdpReceiver implements Agent
{
    static final int BATCH_LIMIT = 64;

    private final UdpSocket socket;
    private final TunDevice tun;
    private final PeerTable peers;
    private final InboundCheck check;
    private final DataplaneCounters counters;
    private final String roleName;
    private final PacketBuffer packet = new PacketBuffer(PacketBuffer.MAX_PACKET_LENGTH);

    UdpReceiver(final UdpSocket socket, final TunDevice tun, final PeerTable peers, final Ipv4Prefix ownSubnet,
        final DataplaneCounters counters, final String roleName)
    {
        this.socket = socket;
        this.tun = tun;
        this.peers = peers;
        this.check = new InboundCheck(ownSubnet);
        this.counters = counters;
        this.roleName = roleName;
    }

    @Override
    public int doWork()
    {
        final PeerTable.Peers view = peers.current();
        int work = 0;
        while (work < BATCH_LIMIT)
        {
            final int length = socket.receive(packet.address, packet.capacity);
            if (length == -Errno.EAGAIN)
            {
                break;
            }
            if (length < 0)
            {
                counters.increment(DataplaneCounter.DROP_UDP_READ_ERROR);
                break;
            }
            work++;
            deliver(view, length, socket.senderAddress());
        }
        return work;
    }

    private void deliver(final PeerTable.Peers view, final int length, final int sender)
    {
        counters.increment(DataplaneCounter.UDP_RX_PACKETS);
        counters.add(DataplaneCounter.UDP_RX_BYTES, length);
        final DataplaneCounter refusal = check.check(packet.buffer, length, socket.wasTruncated(), sender, view);
        if (refusal != null)
        {
            counters.increment(refusal);
            return;
        }
        final int written = tun.write(packet.address, length);
        if (written == length)
        {
            counters.increment(DataplaneCounter.TUN_TX_PACKETS);
            counters.add(DataplaneCounter.TUN_TX_BYTES, length);
        }
        else
        {
            counters.increment(DataplaneCounter.DROP_TUN_WRITE_ERROR);
        }
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
