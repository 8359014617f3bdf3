package io.weft.dataplane.lane;

import io.weft.auth.AuthHeader;
import io.weft.auth.LaneSeal;
import io.weft.dataplane.packet.IcmpUnreachable;
import io.weft.dataplane.packet.Ipv4Header;
import io.weft.dataplane.packet.PacketBuffer;
import io.weft.dataplane.packet.TsoSplitter;
import io.weft.dataplane.packet.VirtioNetHeader;
import io.weft.log.Log;
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
 * headers are written, the payload stays where it was read) that the {@link SendBatch} joins into UDP GSO sends,
 * consecutive super-packets to one peer sharing sends; on the wire nothing changes. Every read goes straight into a
 * slot of the batch, and everything read in one drain leaves, in read order, with one sendmmsg at its end.
 */
final class TunReader implements Agent {
    static final int BATCH_LIMIT = 64;
    private static final int ICMP_UNREACHABLE_PER_SECOND = 100;
    /** Each send slot takes a whole read, virtio_net_hdr and 64 KB super-packet included. */
    private static final int SLOT_LENGTH = VirtioNetHeader.LENGTH + PacketBuffer.MAX_PACKET_LENGTH;
    /** A slot's datagrams, at most one per segment of its read, each with an authentication header and tag. */
    private static final int AUTH_PARTS_PER_SLOT = UdpSocket.UDP_MAX_SEGMENTS * AuthHeader.OVERHEAD;

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
    /** This lane's number in the nonces it seals with; the sealer is null when this node does not authenticate. */
    private final int laneId;
    private final AuthMode authMode;
    private final NodeAuth auth;
    private final LaneSeal seal;
    /** Per slot and segment, the authentication header and tag of each datagram sealed from that slot. */
    private final PacketBuffer authParts;

    /**
     * Reads {@code io}'s TUN queue (with virtio headers when the context's offloads have TUN TSO on) and sends on its
     * send socket (with UDP GSO when they have it on); {@code clock} paces ICMP errors.
     */
    TunReader(final LaneIo io, final LaneContext context, final DataplaneCounters counters, final NanoClock clock,
        final String roleName) {
        this(io, context, counters, clock, roleName, 0);
    }

    /** As above, as lane {@code laneId}: the lane of the nonces it seals with. */
    TunReader(final LaneIo io, final LaneContext context, final DataplaneCounters counters, final NanoClock clock,
        final String roleName, final int laneId) {
        final int sendSlots = context.batch();
        final boolean virtioHeaders = context.offloads().tunTso();
        final boolean udpGso = context.offloads().udpGso();
        this.slots = new PacketBuffer(sendSlots * SLOT_LENGTH);
        // With UDP GSO, a run of datagrams to one peer leaves as one send; each fits the underlay, as the TUN MTU
        // is the underlay's less the outer headers.
        this.batch = new SendBatch(sendSlots, slots.address, SLOT_LENGTH, udpGso);
        this.tun = io.tun();
        this.socket = io.sendSocket();
        this.peers = context.peers();
        this.ownPublicIp = context.node().publicIp();
        this.counters = counters;
        this.icmp = new IcmpUnreachable(context.node().icmpSource(), ICMP_UNREACHABLE_PER_SECOND);
        this.clock = clock;
        this.roleName = roleName;
        this.virtioHeaders = virtioHeaders;
        this.udpGso = udpGso;
        this.ipOffset = virtioHeaders ? VirtioNetHeader.LENGTH : 0;
        this.ipReply = new UnsafeBuffer(reply.address + ipOffset, reply.capacity - ipOffset);
        this.segmentHeaders = virtioHeaders ? new PacketBuffer(sendSlots * TsoSplitter.HEADERS_CAPACITY) : null;
        header.wrap(ipPacket);
        this.laneId = laneId;
        this.auth = context.auth();
        this.authMode = auth.mode();
        this.seal = authMode.enabled() ? new LaneSeal(context.auth().encrypt()) : null;
        this.authParts = authMode.enabled() ? new PacketBuffer(sendSlots * AUTH_PARTS_PER_SLOT) : null;
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
        final PeerAuth peerAuth = peer.auth();
        if (peerAuth == null ? authMode == AuthMode.REQUIRED : !peerAuth.usable()) {
            counters.increment(DataplaneCounter.DROP_PEER_NOT_AUTHENTICATED);
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
        if (peer.auth() != null) {
            sendSealed(ipLength, peer);
            return;
        }
        batch.add(ipOffset, ipLength, peer.publicIp(), peer.port());
    }

    /** One packet as one authenticated datagram: its header and tag around it, three iovecs, the packet in place. */
    private void sendSealed(final int ipLength, final Peer peer) {
        final int slot = batch.keepSlot();
        final long parts = authParts.address + (long)slot * AUTH_PARTS_PER_SLOT;
        final long tag = parts + AuthHeader.LENGTH;
        final long ipAddress = ipPacket.addressOffset();
        final PeerAuth peerAuth = peer.auth();
        if (!seal.seal(peerAuth.sendKey, peerAuth.ourKeyId, peer.receiverKeyId(), auth.nextNonce(laneId), parts,
            ipAddress, ipLength, 0, 0, tag)) {
            counters.increment(DataplaneCounter.DROP_SEAL_FAILED);
            return;
        }
        counters.increment(DataplaneCounter.UDP_TX_SEALED);
        batch.addGathered(parts, AuthHeader.LENGTH, ipAddress, ipLength, 0, 0, tag, AuthHeader.TAG_LENGTH,
            peer.publicIp(), peer.port());
    }

    /** Sends what the batch holds with one sendmmsg and counts the outcome per datagram. */
    private void flush() {
        flush(false);
    }

    /** With {@code keepOpenRun}, a last run of datagrams that the next ones may extend stays queued. */
    private void flush(final boolean keepOpenRun) {
        final int first = batch.firstUnsent();
        final int queued = batch.sendable(keepOpenRun);
        // Also when nothing is to be sent: the batch then frees the slots of refused super-packets, no system call.
        socket.send(batch, keepOpenRun);
        if (queued == 0) {
            return;
        }
        // The per-message counts outlive the send: with UDP GSO one message carries several datagrams.
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
     * Cuts a super-packet into segments and queues them, for the batch to join into UDP GSO messages: each segment's
     * headers (written into the slot's header area) and its payload, left where the read put it, are two iovecs, so
     * the kernel's copy into the socket is the only one. The first segments join the run the previous datagrams to
     * this peer left open when they are of its size, so a flow's stream of segments leaves in full sends.
     */
    private void sendSuperPacket(final int length, final Peer peer) {
        // Kept until the send, refused or not: what is queued points into it.
        final int slot = batch.keepSlot();
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
        final int headersLength = splitter.headersLength();
        final long headers = segmentHeaders.address + headersOffset;
        final PeerAuth peerAuth = peer.auth();
        final long parts = peerAuth == null ? 0 : authParts.address + (long)slot * AUTH_PARTS_PER_SLOT;
        for (int i = 0; i < count; i++) {
            final long segmentHeaders = headers + (long)i * headersLength;
            final long payload = packet.addressOffset() + splitter.payloadOffset(i);
            final int payloadLength = splitter.payloadLength(i);
            final boolean joined;
            if (peerAuth == null) {
                joined = batch.addGathered(segmentHeaders, headersLength, payload, payloadLength, peer.publicIp(),
                    peer.port());
            } else {
                // Each segment is a datagram of its own, so each gets its own header, counter and tag.
                final long header = parts + (long)i * AuthHeader.OVERHEAD;
                final long tag = header + AuthHeader.LENGTH;
                if (!seal.seal(peerAuth.sendKey, peerAuth.ourKeyId, peer.receiverKeyId(), auth.nextNonce(laneId),
                    header, segmentHeaders, headersLength, payload, payloadLength, tag)) {
                    counters.increment(DataplaneCounter.DROP_SEAL_FAILED);
                    continue;
                }
                counters.increment(DataplaneCounter.UDP_TX_SEALED);
                joined = batch.addGathered(header, AuthHeader.LENGTH, segmentHeaders, headersLength, payload,
                    payloadLength, tag, AuthHeader.TAG_LENGTH, peer.publicIp(), peer.port());
            }
            if (joined && i == 0) {
                counters.increment(DataplaneCounter.UDP_TX_RUNS_CONTINUED);
            }
        }
        // Sent at once, not at the end of the drain (a drain of super-packets would overflow receive buffers), but
        // for a last run with room: it waits for the next read, at most until the drain ends.
        flush(true);
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
    public void onClose() {
        if (seal != null) {
            seal.close();
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
