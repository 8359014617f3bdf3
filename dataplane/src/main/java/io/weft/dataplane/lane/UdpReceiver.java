package io.weft.dataplane.lane;

import io.weft.dataplane.packet.GroCoalescer;
import io.weft.dataplane.packet.PacketBuffer;
import io.weft.tun.ReceiveBatch;
import io.weft.tun.TunDevice;
import io.weft.tun.UdpSocket;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * UDP to TUN: takes datagrams from peers (several per recvmmsg), lets {@link InboundCheck} accept or
 * refuse each, and writes the accepted ones to the TUN. With UDP GRO one slot holds many datagrams of one sender;
 * with TUN offloads consecutive TCP segments of one flow are coalesced ({@link GroCoalescer}) into one super-packet
 * per TUN write. Everything refused is counted under its reason and dropped; the next datagram is processed as if
 * nothing happened.
 */
final class UdpReceiver implements Agent {
    private final UdpSocket socket;
    private final TunDevice tun;
    private final PeerTable peers;
    private final DataplaneCounters counters;
    private final String roleName;
    private final InboundCheck check;
    /**
     * The receive slots' memory, held for as long as the batch that knows only its address: unreachable, the GC would
     * free it under the kernel's writes.
     */
    private final PacketBuffer slots;
    /** Datagrams (or GRO runs) per recvmmsg; a slot holds the largest UDP payload, so nothing legitimate truncates. */
    private final ReceiveBatch batch;
    private final UnsafeBuffer slot = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer datagram = new UnsafeBuffer(0, 0);
    private final GroCoalescer coalescer;
    /** Opens authenticated datagrams; null when this node does not authenticate. */
    private final DatagramAuthentication authentication;

    /**
     * Receives on {@code io}'s receive socket and writes to its TUN queue: with a virtio_net_hdr and coalescing when
     * the context's offloads have TUN TSO on, UDP runs merged too when they have TUN USO.
     */
    UdpReceiver(final LaneIo io, final LaneContext context, final DataplaneCounters counters, final String roleName) {
        final int receiveSlots = context.batch();
        this.slots = new PacketBuffer(receiveSlots * PacketBuffer.MAX_PACKET_LENGTH);
        this.batch = new ReceiveBatch(receiveSlots, slots.address, PacketBuffer.MAX_PACKET_LENGTH);
        this.socket = io.receiveSocket();
        this.tun = io.tun();
        this.peers = context.peers();
        this.counters = counters;
        this.roleName = roleName;
        this.check = new InboundCheck(context.node().subnet(), context.node().publicIp());
        final LaneResources.OffloadStatus offloads = context.offloads();
        this.authentication = context.auth().mode().enabled() ? new DatagramAuthentication(counters) : null;
        this.coalescer = offloads.tunTso()
            ? new GroCoalescer(new PacketBuffer(GroCoalescer.OUTPUT_LENGTH).buffer, this::writeToTun, offloads.tunUso)
            : null;
    }

    /**
     * One recvmmsg a turn, then back to the lane so its TUN side runs before the next. Why: writing a TCP flow's
     * data to the TUN makes the kernel queue that flow's ACKs on the TUN, and the sender waits for them; draining the
     * socket's whole backlog first (up to 64 GRO runs of 64 KB) held them back, while draining the TUN in one turn
     * is what the sending node wants (docs/lanes.md has the measurements).
     */
    @Override
    public int doWork() {
        final int count = socket.receive(batch);
        if (count == 0) {
            return 0;
        }
        counters.increment(DataplaneCounter.UDP_RX_RECEIVES);
        if (count < 0) {
            counters.increment(DataplaneCounter.DROP_UDP_READ_ERROR);
            return 0;
        }
        final PeerTable.Peers view = peers.current();
        for (int i = 0; i < count; i++) {
            deliverAll(view, i);
        }
        if (coalescer != null) {
            coalescer.flush();
        }
        return count;
    }

    /** Walks the datagrams of one slot: one, or with GRO several of the same size (the last may be shorter). */
    private void deliverAll(final PeerTable.Peers view, final int index) {
        final int length = batch.length(index);
        final int segmentLength = batch.segmentLength(index);
        final boolean truncated = batch.wasTruncated(index);
        final int sender = batch.senderAddress(index);
        slot.wrap(batch.slotAddress(index), batch.slotLength());
        if (segmentLength <= 0 || segmentLength >= length) {
            deliver(view, 0, length, truncated, sender);
            return;
        }
        for (int offset = 0; offset < length; offset += segmentLength) {
            deliver(view, offset, Math.min(segmentLength, length - offset), truncated, sender);
        }
    }

    private void deliver(final PeerTable.Peers view, final int offset, final int length, final boolean truncated,
        final int sender) {
        counters.increment(DataplaneCounter.UDP_RX_PACKETS);
        counters.add(DataplaneCounter.UDP_RX_BYTES, length);
        final int packetLength = authentication == null ? length
            : authentication.authenticate(view, slot, offset, length, truncated, sender);
        if (packetLength < 0) {
            return;
        }
        final int packetOffset = authentication == null ? offset : authentication.packetOffset();
        datagram.wrap(slot, packetOffset, packetLength);
        final DataplaneCounter refusal = check.check(datagram, packetLength, truncated, sender, view);
        if (refusal != null) {
            counters.increment(refusal);
            return;
        }
        counters.increment(DataplaneCounter.TUN_TX_PACKETS);
        counters.add(DataplaneCounter.TUN_TX_BYTES, packetLength);
        if (coalescer != null) {
            coalescer.offer(slot, packetOffset, packetLength);
        } else {
            write(slot.addressOffset() + packetOffset, packetLength);
        }
    }

    private void writeToTun(final UnsafeBuffer buffer, final int offset, final int length) {
        write(buffer.addressOffset() + offset, length);
    }

    private void write(final long address, final int length) {
        counters.increment(DataplaneCounter.TUN_TX_WRITES);
        if (tun.write(address, length) != length) {
            counters.increment(DataplaneCounter.DROP_TUN_WRITE_ERROR);
        }
    }

    @Override
    public void onClose() {
        if (authentication != null) {
            authentication.close();
        }
    }

    @Override
    public String roleName() {
        return roleName;
    }
}
