package io.weft.dataplane.lane;

import io.weft.dataplane.packet.IcmpUnreachable;
import io.weft.dataplane.packet.Ipv4Header;
import io.weft.dataplane.packet.PacketBuffer;
import io.weft.dataplane.packet.TsoSplitter;
import io.weft.dataplane.packet.VirtioNetHeader;
import io.weft.registry.Log;
import io.weft.routing.RouteSnapshot;
import io.weft.tun.Errno;
import io.weft.tun.SendBatch;
import io.weft.tun.TunDevice;
import io.weft.tun.UdpSocket;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * TUN to UDP: reads packets the kernel routed into the overlay, finds the node leasing the destination and sends
 * each packet, unchanged but for its TTL, as the payload of one UDP datagram to that node's backend port. With TUN
 * offloads a read may be a TCP super-packet: it is cut into MTU-sized packets ({@link TsoSplitter}: only their
 * headers are written, the payload stays where it was read) that leave in UDP GSO sends of up to 64, consecutive
 * super-packets to one peer sharing sends; on the wire nothing changes. Every read goes straight into a slot of a
 * {@link SendBatch}, and everything read in one drain leaves, in read order, with one sendmmsg at its end.
 */
final class TunReader implements Agent {
    static final int BATCH_LIMIT = 64;
    /** Each send slot takes a whole read, virtio_net_hdr and 64 KB super-packet included. */
    private static final int SLOT_LENGTH = VirtioNetHeader.LENGTH + PacketBuffer.MAX_PACKET_LENGTH;

    private final TunDevice tun;
    private final UdpSocket socket;
    private final PeerTable peers;
    private final int ownPublicIp;
    private final DataplaneCounters counters;
    private final IcmpUnreachable icmp;
    private final NanoClock clock;
    private final String roleName;
    private final boolean virtioHeaders;
    /** Cleared for good when the kernel refuses a GSO send: see {@link #stopGsoIfRefused}. */
    private boolean udpGso;
    /** Where the IP packet starts in what the TUN returns: after the virtio_net_hdr when offloads are on. */
    private final int ipOffset;
    private final PacketBuffer slots;
    private final SendBatch batch;
    /** The read being forwarded: [virtio_net_hdr][IPv4] (or just IPv4) in the batch's next slot. */
    private final UnsafeBuffer packet = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer ipPacket = new UnsafeBuffer(0, 0);
    private final PacketBuffer reply = new PacketBuffer(VirtioNetHeader.LENGTH + 128);
    private final UnsafeBuffer ipReply;
    /** Per slot, the headers of the segments a super-packet read into that slot is cut into. */
    private final PacketBuffer segmentHeaders;
    private final Ipv4Header header = new Ipv4Header();
    private final VirtioNetHeader virtio = new VirtioNetHeader();
    private final TsoSplitter splitter = new TsoSplitter();

    /**
     * @param virtioHeaders the TUN queue was opened with IFF_VNET_HDR and offloads.
     * @param udpGso        {@code socket} takes UDP_SEGMENT sends.
     * @param sendSlots     datagrams per sendmmsg; 1 is flannel's one packet per system call.
     */
    TunReader(final TunDevice tun, final UdpSocket socket, final PeerTable peers, final int ownPublicIp,
        final DataplaneCounters counters, final IcmpUnreachable icmp, final NanoClock clock, final String roleName,
        final boolean virtioHeaders, final boolean udpGso, final int sendSlots) {
        this.slots = new PacketBuffer(sendSlots * SLOT_LENGTH);
        // With UDP GSO, a run of datagrams to one peer leaves as one send; each fits the underlay, as the TUN MTU
        // is the underlay's less the outer headers.
        this.batch = new SendBatch(sendSlots, slots.address, SLOT_LENGTH, udpGso);
        this.tun = tun;
        this.socket = socket;
        this.peers = peers;
        this.ownPublicIp = ownPublicIp;
        this.counters = counters;
        this.icmp = icmp;
        this.clock = clock;
        this.roleName = roleName;
        this.virtioHeaders = virtioHeaders;
        this.udpGso = udpGso;
        this.ipOffset = virtioHeaders ? VirtioNetHeader.LENGTH : 0;
        this.ipReply = new UnsafeBuffer(reply.address + ipOffset, reply.capacity - ipOffset);
        this.segmentHeaders = virtioHeaders ? new PacketBuffer(sendSlots * TsoSplitter.HEADERS_CAPACITY) : null;
        header.wrap(ipPacket);
    }

    @Override
    public int doWork() {
        final RouteSnapshot<Peer> routes = peers.current().routes();
        int work = 0;
        while (work < BATCH_LIMIT) {
            if (batch.isFull()) {
                flush();
            }
            final long address = batch.nextSlotAddress();
            final int length = tun.read(address, SLOT_LENGTH);
            if (length == 0) {
                break;
            }
            counters.increment(DataplaneCounter.TUN_RX_READS);
            if (length < 0) {
                counters.increment(DataplaneCounter.DROP_TUN_READ_ERROR);
                if (length == -Errno.EBADFD) {
                    flush();
                    throw new QueueDetachedException();
                }
                break;
            }
            work++;
            packet.wrap(address, SLOT_LENGTH);
            ipPacket.wrap(address + ipOffset, SLOT_LENGTH - ipOffset);
            virtio.wrap(packet, 0);
            forward(routes, length);
        }
        flush();
        return work;
    }

    private void forward(final RouteSnapshot<Peer> routes, final int length) {
        final int ipLength = length - ipOffset;
        counters.increment(DataplaneCounter.TUN_RX_PACKETS);
        counters.add(DataplaneCounter.TUN_RX_BYTES, ipLength);
        // The kernel only routes IPv4 here, but a link also carries its own IPv6 chatter (router solicitations).
        if (ipLength < Ipv4Header.MIN_LENGTH || header.version() != 4) {
            counters.increment(DataplaneCounter.DROP_TUN_NOT_IPV4);
            return;
        }
        final int route = routes.lookup(header.destination());
        if (route == RouteSnapshot.NO_ROUTE) {
            counters.increment(DataplaneCounter.DROP_NO_ROUTE);
            answerUnreachable(ipLength);
            return;
        }
        final Peer peer = routes.value(route);
        if (peer.publicIp() == ownPublicIp) {
            counters.increment(DataplaneCounter.DROP_ROUTE_TO_SELF);
            return;
        }
        // Decrement once here: the segments of a super-packet copy this header.
        if (!header.decrementTtl()) {
            counters.increment(DataplaneCounter.DROP_TUN_TTL_EXPIRED);
            return;
        }
        if (virtioHeaders && virtio.gsoType() != VirtioNetHeader.GSO_NONE) {
            sendSuperPacket(length, peer);
            return;
        }
        if (virtioHeaders) {
            final int checksum = splitter.completeChecksum(packet, 0, length, peer.partialChecksums());
            if (checksum < 0) {
                counters.increment(DataplaneCounter.DROP_BAD_OFFLOAD);
                return;
            }
            if (checksum == TsoSplitter.LEFT_PARTIAL) {
                counters.increment(DataplaneCounter.UDP_TX_PARTIAL_CHECKSUMS);
            }
        }
        batch.add(ipOffset, ipLength, peer.publicIp(), peer.port());
    }

    /** Sends what the batch holds with one sendmmsg and counts the outcome per datagram. */
    private void flush() {
        flush(false);
    }

    /** With {@code keepOpenRun}, a last run of segments that the next super-packet may extend stays queued. */
    private void flush(final boolean keepOpenRun) {
        final int first = batch.firstUnsent();
        final int queued = batch.sendable(keepOpenRun);
        if (queued == 0) {
            return;
        }
        // The per-message counts outlive the send: with UDP GSO one message carries several datagrams.
        socket.send(batch, keepOpenRun);
        counters.add(DataplaneCounter.UDP_TX_SENDS, batch.systemCalls());
        int datagramsSent = 0;
        int datagramsRefused = 0;
        int datagramsNotSent = 0;
        long bytes = 0;
        for (int i = first; i < first + queued; i++) {
            final int outcome = batch.outcome(i);
            if (outcome == SendBatch.SENT) {
                datagramsSent += batch.datagrams(i);
                bytes += batch.length(i);
            } else if (outcome == SendBatch.NOT_SENT) {
                datagramsNotSent += batch.datagrams(i);
            } else {
                datagramsRefused += batch.datagrams(i);
                stopGsoIfRefused(i, -outcome);
            }
        }
        counters.add(DataplaneCounter.UDP_TX_PACKETS, datagramsSent);
        counters.add(DataplaneCounter.UDP_TX_BYTES, bytes);
        counters.add(DataplaneCounter.DROP_SEND_ERROR, datagramsRefused);
        counters.add(DataplaneCounter.DROP_SEND_BUFFER_FULL, datagramsNotSent);
    }

    /**
     * The socket took UDP_SEGMENT at start, but the kernel may still refuse the sends: EIO when an IPsec policy
     * covers the path (and, before Linux 6.11, when the underlay device has no checksum offload), EMSGSIZE or EINVAL
     * when the path MTU has dropped below the datagrams (the underlay's MTU lowered after weftd started, or learnt
     * from an ICMP). Each of those would come back for every message of more than one datagram, so TCP through the
     * overlay would crawl; sent one by one, the same datagrams go (fragmented if need be). So the lane stops GSO for
     * good, once, and says so; the datagrams of the refused message, and of a run still queued, are lost (TCP sends
     * them again). The daemon then starts lanes it makes anew without GSO too.
     */
    private void stopGsoIfRefused(final int message, final int errno) {
        if (!udpGso || batch.datagrams(message) < 2 ||
            (errno != Errno.EIO && errno != Errno.EMSGSIZE && errno != Errno.EINVAL)) {
            return;
        }
        udpGso = false;
        batch.stopSegmentation();
        counters.increment(DataplaneCounter.UDP_GSO_STOPPED);
        Log.warn(roleName + ": the kernel refused a UDP GSO send of " + batch.datagrams(message) + " datagrams (" +
            Errno.describe(errno) + "): this lane sends one datagram per message from now on; restart weftd to " +
            "try GSO again");
    }

    /**
     * Cuts a super-packet into segments and queues them as UDP GSO messages: each segment's headers (written into the
     * slot's header area) and its payload, left where the read put it, are two iovecs, so the kernel's copy into the
     * socket is the only one.
     */
    private void sendSuperPacket(final int length, final Peer peer) {
        final int slot = batch.nextSlot();
        final int headersOffset = slot * TsoSplitter.HEADERS_CAPACITY;
        final int count = splitter.splitHeaders(packet, 0, length, segmentHeaders.buffer, headersOffset,
            TsoSplitter.HEADERS_CAPACITY, peer.partialChecksums());
        if (count < 0) {
            counters.increment(DataplaneCounter.DROP_BAD_OFFLOAD);
            return;
        }
        if (peer.partialChecksums()) {
            counters.add(DataplaneCounter.UDP_TX_PARTIAL_CHECKSUMS, count);
        }
        final int segmentLength = splitter.segmentLength();
        final int headersLength = splitter.headersLength();
        final long headers = segmentHeaders.address + headersOffset;
        // One UDP GSO send carries at most 64 segments and 65,507 bytes: a 64 KB super-packet takes two. Its first
        // segments extend the run the previous super-packet left open, when it went to the same peer in segments
        // of the same size, so a flow's stream of segments leaves in full sends.
        final int perSend = udpGso ? TsoSplitter.segmentsPerSend(segmentLength) : 1;
        batch.keepSlot();
        int first = 0;
        int end = Math.min(count, batch.roomInLastRun(peer.publicIp(), peer.port(), segmentLength));
        if (end > 0) {
            counters.increment(DataplaneCounter.UDP_TX_RUNS_CONTINUED);
        } else {
            batch.beginSegments(peer.publicIp(), peer.port());
            end = Math.min(count, perSend);
        }
        while (true) {
            for (int i = first; i < end; i++) {
                batch.addSegment(headers + (long)i * headersLength, headersLength,
                    packet.addressOffset() + splitter.payloadOffset(i), splitter.payloadLength(i));
            }
            batch.endSegments(segmentLength);
            if (end == count) {
                break;
            }
            first = end;
            end = Math.min(count, first + perSend);
            batch.beginSegments(peer.publicIp(), peer.port());
        }
        // Sent at once, not at the end of the drain (16 super-packets in one burst, 1 MB, overflow receive
        // buffers), but for a last run with room: it waits for the next read, at most until the drain ends.
        flush(udpGso);
    }

    private void answerUnreachable(final int length) {
        if (icmp.shouldAnswer(ipPacket, clock.nanoTime())) {
            // With virtio headers the reply needs one too; the buffer's first bytes stay zero: no offload asked.
            final int replyLength = ipOffset + icmp.build(ipPacket, length, ipReply);
            if (tun.write(reply.address, replyLength) == replyLength) {
                counters.increment(DataplaneCounter.ICMP_UNREACHABLE_SENT);
            }
        }
    }

    @Override
    public String roleName() {
        return roleName;
    }

    /**
     * The kernel detached this lane's TUN queue: the device was deleted (ip link del), and every read and write on
     * the fd now fails with EBADFD. It ends the lane, which would otherwise poll a dead fd in a busy loop, so the
     * daemon can make the device again.
     */
    static final class QueueDetachedException extends AgentTerminationException {
        private static final long serialVersionUID = 1L;

        QueueDetachedException() {
            super("TUN queue detached (" + Errno.name(Errno.EBADFD) + "): the device was deleted");
        }
    }
}
