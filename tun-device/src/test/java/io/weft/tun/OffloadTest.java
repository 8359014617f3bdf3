package io.weft.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kernel offloads the fast path relies on, probed on this kernel: TUN vnet headers, UDP GSO and UDP GRO. */
class OffloadTest {
    private static final int LOOPBACK = 0x7F000001;
    private static final int SEGMENT = 1000;
    private static final int SEGMENTS = 10;

    @BeforeEach
    void needsRoot() {
        assumeTrue(TestNamespace.isRoot(), "needs root: creates network namespaces and TUN devices");
    }

    @Test
    void shouldSplitOneGsoSendIntoDatagramsWhenReceiverHasNoGro() throws Exception {
        try (TestNamespace ns = TestNamespace.create("gso")) {
            ns.run(() -> {
                try (UdpSocket receiver = UdpSocket.bind(LOOPBACK, 8285, false, 1 << 20, 1 << 20);
                    UdpSocket sender = UdpSocket.bind(LOOPBACK, 0, false, 0, 0)) {
                    assertThat(sender.supportsGso()).isTrue();
                    final ByteBuffer data = ByteBuffer.allocateDirect(SEGMENT * SEGMENTS);
                    final long address = address(data);
                    for (int i = 0; i < SEGMENT * SEGMENTS; i++) {
                        data.put(i, (byte)(i / SEGMENT));
                    }
                    assertThat(sender.sendSegments(address, SEGMENT * SEGMENTS, SEGMENT, LOOPBACK, 8285))
                        .isEqualTo(SEGMENT * SEGMENTS);

                    final ByteBuffer in = ByteBuffer.allocateDirect(65536);
                    final long inAddress = address(in);
                    for (int i = 0; i < SEGMENTS; i++) {
                        assertThat(receiver.receive(inAddress, 65536)).as("datagram %d", i).isEqualTo(SEGMENT);
                        assertThat(in.get(0)).isEqualTo((byte)i);
                        assertThat(receiver.segmentLength()).isZero();
                    }
                    assertThat(receiver.receive(inAddress, 65536)).isEqualTo(-Errno.EAGAIN);
                }
            });
        }
    }

    @Test
    void shouldHandOverConsecutiveDatagramsAsOneBufferWithGro() throws Exception {
        try (TestNamespace ns = TestNamespace.create("gro")) {
            ns.run(() -> {
                try (UdpSocket receiver = UdpSocket.bind(LOOPBACK, 8285, false, 1 << 20, 1 << 20);
                    UdpSocket sender = UdpSocket.bind(LOOPBACK, 0, false, 0, 0)) {
                    assertThat(receiver.enableGro()).isTrue();
                    final ByteBuffer data = ByteBuffer.allocateDirect(SEGMENT * SEGMENTS);
                    final long address = address(data);
                    final int total = SEGMENT * SEGMENTS - 300;
                    assertThat(sender.sendSegments(address, total, SEGMENT, LOOPBACK, 8285)).isEqualTo(total);

                    final ByteBuffer in = ByteBuffer.allocateDirect(65536);
                    final long inAddress = address(in);
                    int received = 0;
                    int length;
                    while ((length = receiver.receive(inAddress, 65536)) > 0) {
                        assertThat(length > SEGMENT ? receiver.segmentLength() : SEGMENT).isEqualTo(SEGMENT);
                        received += length;
                    }
                    assertThat(received).isEqualTo(total);
                }
            });
        }
    }

    @Test
    void shouldPrefixReadsWithVirtioNetHeaderWhenOffloadsAreOn() throws Exception {
        try (TestNamespace ns = TestNamespace.create("vnet")) {
            ns.run(() -> {
                try (TunDevice tun = TunDevice.open("flannel0", TunDevice.IFF_VNET_HDR | TunDevice.IFF_MULTI_QUEUE);
                    TunDevice secondQueue =
                        TunDevice.open("flannel0", TunDevice.IFF_VNET_HDR | TunDevice.IFF_MULTI_QUEUE);
                    Netlink netlink = new Netlink();
                    UdpSocket socket = UdpSocket.bind(0, 0, false, 0, 0)) {
                    tun.setVnetHeaderLength(TunDevice.VIRTIO_NET_HDR_LENGTH);
                    tun.setOffload(TunDevice.TUN_F_CSUM | TunDevice.TUN_F_TSO4 | TunDevice.TUN_F_TSO6);
                    secondQueue.setVnetHeaderLength(TunDevice.VIRTIO_NET_HDR_LENGTH);
                    secondQueue.setOffload(TunDevice.TUN_F_CSUM | TunDevice.TUN_F_TSO4 | TunDevice.TUN_F_TSO6);
                    final int index = Netlink.linkIndex("flannel0");
                    netlink.addAddress(index, 0x0AF40100, 32);
                    netlink.setUp(index);
                    netlink.addRoute(0x0AF40000, 16, index);

                    final ByteBuffer payload = ByteBuffer.allocateDirect(64);
                    final long payloadAddress = address(payload);
                    assertThat(socket.sendTo(payloadAddress, 10, 0x0AF40205, 7777)).isEqualTo(10);

                    final ByteBuffer packet = ByteBuffer.allocateDirect(65536).order(ByteOrder.LITTLE_ENDIAN);
                    final long packetAddress = address(packet);
                    Thread.sleep(50);
                    int length = tun.read(packetAddress, 65536);
                    if (length == 0) {
                        length = secondQueue.read(packetAddress, 65536); // the flow hashed to the other queue
                    }
                    assertThat(length).isEqualTo(TunDevice.VIRTIO_NET_HDR_LENGTH + 20 + 8 + 10);
                    assertThat(packet.get(1)).as("gso_type NONE for a small datagram").isZero();
                    assertThat(packet.get(TunDevice.VIRTIO_NET_HDR_LENGTH) >> 4).isEqualTo(4);
                }
            });
        }
    }

    @Test
    void shouldReceiveManyDatagramsInOneCallWithRecvmmsg() throws Exception {
        try (TestNamespace ns = TestNamespace.create("mmsg")) {
            ns.run(() -> {
                try (UdpSocket receiver = UdpSocket.bind(LOOPBACK, 8285, false, 1 << 20, 1 << 20);
                    UdpSocket sender = UdpSocket.bind(LOOPBACK, 40001, false, 0, 0)) {
                    final ByteBuffer slots = ByteBuffer.allocateDirect(8 * 2048);
                    final long slotsAddress = address(slots);
                    final ReceiveBatch batch = new ReceiveBatch(8, slotsAddress, 2048);
                    assertThat(receiver.receive(batch)).as("nothing queued").isZero();

                    final ByteBuffer data = ByteBuffer.allocateDirect(64);
                    final long address = address(data);
                    for (int i = 0; i < 5; i++) {
                        data.put(0, (byte)i);
                        assertThat(sender.sendTo(address, 10 + i, LOOPBACK, 8285)).isEqualTo(10 + i);
                    }
                    assertThat(receiver.receive(batch)).isEqualTo(5);
                    for (int i = 0; i < 5; i++) {
                        assertThat(batch.length(i)).isEqualTo(10 + i);
                        assertThat(slots.get(i * 2048)).isEqualTo((byte)i);
                        assertThat(batch.senderAddress(i)).isEqualTo(LOOPBACK);
                        assertThat(batch.segmentLength(i)).isZero();
                        assertThat(batch.wasTruncated(i)).isFalse();
                    }
                    assertThat(sender.sendTo(address, 7, LOOPBACK, 8285)).isEqualTo(7);
                    assertThat(receiver.receive(batch)).as("slots reusable").isEqualTo(1);
                    assertThat(batch.length(0)).isEqualTo(7);
                }
            });
        }
    }

    /**
     * sendmmsg reports an error only for the first message of a call: after others it returns the count and drops
     * the error. A message the kernel refuses on its own (here: no route to its destination) must not take the
     * messages queued after it down with it.
     */
    @Test
    void shouldSkipAMessageTheKernelRefusesAndStillSendTheOnesAfterIt() throws Exception {
        final int unroutable = 0x0A63_0001; // 10.99.0.1: the namespace has no route but loopback's
        withTwoReceivers("smer", (first, second, sender, slots, batch) -> {
            final int[] destinations = {LOOPBACK, unroutable, LOOPBACK, unroutable};
            for (int i = 0; i < 4; i++) {
                slots.put(i * 2048, (byte)(i + 1));
                batch.add(0, 10 + i, destinations[i], i < 2 ? 8285 : 8286);
            }

            assertThat(sender.send(batch)).isEqualTo(2);
            assertThat(batch.outcome(0)).isEqualTo(SendBatch.SENT);
            assertThat(batch.outcome(1)).isEqualTo(-Errno.ENETUNREACH);
            assertThat(batch.outcome(2)).isEqualTo(SendBatch.SENT);
            assertThat(batch.outcome(3)).isEqualTo(-Errno.ENETUNREACH);
            assertThat(batch.systemCalls()).as("one call up to each refusal, one from it").isEqualTo(4);
            assertThat(batch.size()).isZero();
            final ByteBuffer in = ByteBuffer.allocateDirect(2048);
            final long inAddress = address(in);
            assertThat(first.receive(inAddress, 2048)).isEqualTo(10);
            assertThat(second.receive(inAddress, 2048)).isEqualTo(12);
            assertThat(in.get(0)).isEqualTo((byte)3);
        });
    }

    @Test
    void shouldSendManyDatagramsToTheirOwnDestinationsInOneCallWithSendmmsg() throws Exception {
        withTwoReceivers("smsg", (first, second, sender, slots, batch) -> {
            for (int i = 0; i < 4; i++) {
                slots.put(i * 2048, (byte)(i + 1));
                batch.add(0, 10 + i, LOOPBACK, i % 2 == 0 ? 8285 : 8286);
            }
            assertThat(batch.isFull()).isTrue();
            assertThat(sender.send(batch)).isEqualTo(4);
            assertThat(batch.size()).isZero();

            final ByteBuffer in = ByteBuffer.allocateDirect(2048);
            final long inAddress = address(in);
            assertThat(first.receive(inAddress, 2048)).isEqualTo(10);
            assertThat(in.get(0)).isEqualTo((byte)1);
            assertThat(first.receive(inAddress, 2048)).isEqualTo(12);
            assertThat(second.receive(inAddress, 2048)).isEqualTo(11);
            assertThat(in.get(0)).isEqualTo((byte)2);
            assertThat(second.receive(inAddress, 2048)).isEqualTo(13);
            assertThat(sender.send(batch)).as("an empty batch sends nothing").isZero();
        });
    }

    @FunctionalInterface
    private interface SendmmsgCase {
        void run(UdpSocket first, UdpSocket second, UdpSocket sender, ByteBuffer slots, SendBatch batch)
            throws Exception;
    }

    /** In a namespace of its own: receivers on loopback ports 8285 and 8286, a sender, four 2 KB slots to send. */
    private static void withTwoReceivers(final String namespace, final SendmmsgCase body) throws Exception {
        try (TestNamespace ns = TestNamespace.create(namespace)) {
            ns.run(() -> {
                try (UdpSocket first = UdpSocket.bind(LOOPBACK, 8285, false, 1 << 20, 1 << 20);
                    UdpSocket second = UdpSocket.bind(LOOPBACK, 8286, false, 1 << 20, 1 << 20);
                    UdpSocket sender = UdpSocket.bind(LOOPBACK, 0, false, 0, 0)) {
                    final ByteBuffer slots = ByteBuffer.allocateDirect(4 * 2048);
                    body.run(first, second, sender, slots, new SendBatch(4, address(slots), 2048));
                }
            });
        }
    }

    @Test
    void shouldJoinConsecutiveSameSizeDatagramsToOneDestinationIntoOneGsoSend() throws Exception {
        try (TestNamespace ns = TestNamespace.create("sgso")) {
            ns.run(() -> {
                try (UdpSocket plain = UdpSocket.bind(LOOPBACK, 8285, false, 1 << 20, 1 << 20);
                    UdpSocket gro = UdpSocket.bind(LOOPBACK, 8286, false, 1 << 20, 1 << 20);
                    UdpSocket sender = UdpSocket.bind(LOOPBACK, 0, false, 0, 0)) {
                    assertThat(gro.enableGro()).isTrue();
                    final int[] lengths = {100, 100, 100, 60, 100, 100, 90, 100};
                    final int[] ports = {8285, 8285, 8285, 8285, 8285, 8286, 8286, 8285};
                    final ByteBuffer slots = ByteBuffer.allocateDirect(lengths.length * 2048);
                    final SendBatch batch = new SendBatch(lengths.length,
                        address(slots), 2048, true);
                    for (int i = 0; i < lengths.length; i++) {
                        slots.put(i * 2048, (byte)(i + 1));
                        batch.add(0, lengths[i], LOOPBACK, ports[i]);
                    }
                    // 100,100,100,60 (the shorter one ends the run) | 100 | 100,90 to the other port | 100
                    assertThat(batch.size()).isEqualTo(4);
                    assertThat(batch.datagrams(0)).isEqualTo(4);
                    assertThat(batch.length(0)).isEqualTo(360);
                    assertThat(batch.datagrams(1)).isEqualTo(1);
                    assertThat(batch.datagrams(2)).isEqualTo(2);
                    assertThat(batch.length(2)).isEqualTo(190);
                    assertThat(sender.send(batch)).isEqualTo(4);

                    // Without GRO the receiver sees each datagram, in order, as if sent one by one.
                    final ByteBuffer in = ByteBuffer.allocateDirect(65536);
                    final long inAddress = address(in);
                    for (final int i : new int[] {0, 1, 2, 3, 4, 7}) {
                        assertThat(plain.receive(inAddress, 65536)).as("datagram %d", i).isEqualTo(lengths[i]);
                        assertThat(in.get(0)).as("datagram %d", i).isEqualTo((byte)(i + 1));
                    }
                    assertThat(plain.receive(inAddress, 65536)).isEqualTo(-Errno.EAGAIN);
                    // With GRO the run arrives as one buffer of 100-byte datagrams, the last one 90.
                    assertThat(gro.receive(inAddress, 65536)).isEqualTo(190);
                    assertThat(gro.segmentLength()).isEqualTo(100);
                    assertThat(in.get(0)).isEqualTo((byte)6);
                    assertThat(in.get(100)).isEqualTo((byte)7);
                }
            });
        }
    }

    @Test
    void shouldGatherEachSegmentFromItsHeadersAndItsPayloadWithoutCopying() throws Exception {
        try (TestNamespace ns = TestNamespace.create("sgat")) {
            ns.run(() -> {
                try (UdpSocket receiver = UdpSocket.bind(LOOPBACK, 8285, false, 1 << 20, 1 << 20);
                    UdpSocket sender = UdpSocket.bind(LOOPBACK, 0, false, 0, 0)) {
                    final ByteBuffer slots = ByteBuffer.allocateDirect(2 * 2048);
                    final long slotsAddress = address(slots);
                    final ByteBuffer headers = ByteBuffer.allocateDirect(64);
                    final long headersAddress = address(headers);
                    final SendBatch batch = new SendBatch(2, slotsAddress, 2048, true);
                    // A slot datagram, then 3 segments (4-byte headers 'A'..'C', payloads 100, 100, 50 bytes of the
                    // next slot), in one sendmmsg, in that order.
                    slots.put(0, (byte)'x');
                    batch.add(0, 10, LOOPBACK, 8285);
                    for (int i = 0; i < 250; i++) {
                        slots.put(2048 + i, (byte)(i / 100 + 1));
                    }
                    for (int i = 0; i < 12; i++) {
                        headers.put(i, (byte)('A' + i / 4));
                    }
                    assertThat(batch.keepSlot()).isEqualTo(1);
                    assertThat(batch.isFull()).isTrue();
                    for (int i = 0; i < 3; i++) {
                        assertThat(batch.addGathered(headersAddress + 4L * i, 4, slotsAddress + 2048 + 100L * i,
                            i < 2 ? 100 : 50, LOOPBACK, 8285)).as("joins the run before it").isEqualTo(i > 0);
                    }
                    assertThat(batch.size()).isEqualTo(2);
                    assertThat(batch.datagrams(1)).isEqualTo(3);
                    assertThat(batch.length(1)).isEqualTo(262);
                    assertThat(sender.send(batch)).isEqualTo(2);

                    final ByteBuffer in = ByteBuffer.allocateDirect(65536);
                    final long inAddress = address(in);
                    assertThat(receiver.receive(inAddress, 65536)).isEqualTo(10);
                    assertThat(in.get(0)).isEqualTo((byte)'x');
                    for (int i = 0; i < 3; i++) {
                        final int expected = i < 2 ? 104 : 54;
                        assertThat(receiver.receive(inAddress, 65536)).as("segment %d", i).isEqualTo(expected);
                        assertThat(in.get(0)).isEqualTo((byte)('A' + i));
                        assertThat(in.get(3)).isEqualTo((byte)('A' + i));
                        assertThat(in.get(4)).isEqualTo((byte)(i + 1));
                        assertThat(in.get(expected - 1)).isEqualTo((byte)(i + 1));
                    }
                    assertThat(receiver.receive(inAddress, 65536)).isEqualTo(-Errno.EAGAIN);
                }
            });
        }
    }

    @Test
    void shouldKeepALastRunOpenAcrossASendAndSendItExtendedAsOneGsoBuffer() throws Exception {
        try (TestNamespace ns = TestNamespace.create("open")) {
            ns.run(() -> {
                try (UdpSocket receiver = UdpSocket.bind(LOOPBACK, 8285, false, 1 << 20, 1 << 20);
                    UdpSocket other = UdpSocket.bind(LOOPBACK, 8286, false, 1 << 20, 1 << 20);
                    UdpSocket sender = UdpSocket.bind(LOOPBACK, 0, false, 0, 0)) {
                    assertThat(receiver.enableGro()).isTrue();
                    final ByteBuffer payloads = ByteBuffer.allocateDirect(2048);
                    final long payloadsAddress = address(payloads);
                    final ByteBuffer headers = ByteBuffer.allocateDirect(64);
                    final long headersAddress = address(headers);
                    for (int i = 0; i < 7; i++) {
                        headers.put(4 * i, (byte)('A' + i));
                    }
                    final SendBatch batch = new SendBatch(4, payloadsAddress, 512, true);
                    batch.keepSlot();
                    // Two datagrams to 8286, then a run of three full ones to 8285 that a send may leave open.
                    addSegments(batch, headersAddress, payloadsAddress, 0, 2, 100, 8286);
                    addSegments(batch, headersAddress, payloadsAddress, 2, 5, 100, 8285);
                    assertThat(batch.size()).isEqualTo(2);
                    assertThat(batch.sendable(true)).isEqualTo(1);
                    assertThat(sender.send(batch, true)).isEqualTo(1);
                    assertThat(batch.firstUnsent()).isEqualTo(1);

                    final ByteBuffer in = ByteBuffer.allocateDirect(65536);
                    final long inAddress = address(in);
                    assertThat(other.receive(inAddress, 65536)).isEqualTo(104);
                    assertThat(other.receive(inAddress, 65536)).isEqualTo(104);
                    assertThat(receiver.receive(inAddress, 65536)).as("the open run stayed queued")
                        .isEqualTo(-Errno.EAGAIN);

                    // Two more, the last short: the run is closed, so even a send that keeps open runs sends it.
                    addSegments(batch, headersAddress, payloadsAddress, 5, 6, 100, 8285);
                    addSegments(batch, headersAddress, payloadsAddress, 6, 7, 50, 8285);
                    assertThat(batch.size()).as("both joined the run left open").isEqualTo(2);
                    assertThat(batch.datagrams(1)).isEqualTo(5);
                    assertThat(batch.sendable(true)).isEqualTo(1);
                    assertThat(sender.send(batch, true)).isEqualTo(1);
                    assertThat(batch.size()).isZero();

                    assertThat(receiver.receive(inAddress, 65536)).as("one GSO buffer").isEqualTo(4 * 104 + 54);
                    assertThat(receiver.segmentLength()).isEqualTo(104);
                    for (int i = 0; i < 5; i++) {
                        assertThat(in.get(104 * i)).as("datagram %d", i).isEqualTo((byte)('C' + i));
                    }
                    assertThat(receiver.receive(inAddress, 65536)).isEqualTo(-Errno.EAGAIN);
                }
            });
        }
    }

    /** Datagrams {@code from} to {@code to} - 1 for loopback {@code port}: header i (4 bytes), then payload i. */
    private static void addSegments(final SendBatch batch, final long headers, final long payloads, final int from,
        final int to, final int payload, final int port) {
        for (int i = from; i < to; i++) {
            batch.addGathered(headers + 4L * i, 4, payloads + 100L * i, payload, LOOPBACK, port);
        }
    }

    @Test
    void shouldDeliverEachDatagramOfAUdpSuperPacketWrittenWithGsoUdpL4() throws Exception {
        try (TestNamespace ns = TestNamespace.create("uso")) {
            ns.run(() -> {
                try (TunDevice tun = TunDevice.open("flannel0", TunDevice.IFF_VNET_HDR | TunDevice.IFF_MULTI_QUEUE);
                    Netlink netlink = new Netlink()) {
                    tun.setVnetHeaderLength(TunDevice.VIRTIO_NET_HDR_LENGTH);
                    assumeTrue(acceptsUso(tun), "this kernel takes no UDP super-packets on a TUN (USO: Linux 6.2)");
                    tun.setOffload(TunDevice.TUN_F_CSUM | TunDevice.TUN_F_TSO4 | TunDevice.TUN_F_TSO6);
                    final int index = Netlink.linkIndex("flannel0");
                    netlink.addAddress(index, 0x0AF40100, 32);
                    netlink.setUp(index);
                    netlink.addRoute(0x0AF40000, 16, index);
                    try (UdpSocket receiver = UdpSocket.bind(0x0AF40100, 7777, false, 1 << 20, 1 << 20)) {
                        final int payload = 3 * 64 + 10;
                        final ByteBuffer packet = udpSuperPacket(payload, 64);
                        final long address = address(packet);
                        final int length = TunDevice.VIRTIO_NET_HDR_LENGTH + 28 + payload;
                        assertThat(tun.write(address, length)).isEqualTo(length);

                        final ByteBuffer in = ByteBuffer.allocateDirect(65536);
                        final long inAddress = address(in);
                        Thread.sleep(50);
                        for (int i = 0; i < 4; i++) {
                            final int expected = i < 3 ? 64 : 10;
                            assertThat(receiver.receive(inAddress, 65536)).as("datagram %d", i).isEqualTo(expected);
                            assertThat(in.get(0)).isEqualTo((byte)(i + 1));
                            assertThat(in.get(expected - 1)).isEqualTo((byte)(i + 1));
                        }
                        assertThat(receiver.receive(inAddress, 65536)).isEqualTo(-Errno.EAGAIN);
                    }
                }
            });
        }
    }

    private static long address(final ByteBuffer direct) {
        return jnr.ffi.Pointer.wrap(Native.RUNTIME, direct).address();
    }

    private static boolean acceptsUso(final TunDevice tun) {
        try {
            tun.setOffload(TunDevice.TUN_F_CSUM | TunDevice.TUN_F_TSO4 | TunDevice.TUN_F_TSO6 |
                TunDevice.TUN_F_USO4 | TunDevice.TUN_F_USO6);
            return true;
        } catch (final NativeException e) {
            return false;
        }
    }

    /**
     * [virtio_net_hdr GSO_UDP_L4][IPv4 10.244.2.5 to 10.244.1.0][UDP 5555 to 7777][payload: byte i / gsoSize + 1],
     * the UDP checksum field holding the pseudo-header sum, as the kernel's own CHECKSUM_PARTIAL.
     */
    private static ByteBuffer udpSuperPacket(final int payload, final int gsoSize) {
        final ByteBuffer packet = ByteBuffer.allocateDirect(2048).order(ByteOrder.LITTLE_ENDIAN);
        packet.put(0, (byte)TunDevice.VIRTIO_NET_HDR_F_NEEDS_CSUM).put(1, (byte)TunDevice.VIRTIO_NET_HDR_GSO_UDP_L4)
            .putShort(2, (short)28).putShort(4, (short)gsoSize).putShort(6, (short)20).putShort(8, (short)6);
        packet.order(ByteOrder.BIG_ENDIAN);
        final int ip = TunDevice.VIRTIO_NET_HDR_LENGTH;
        packet.put(ip, (byte)0x45).putShort(ip + 2, (short)(28 + payload)).putShort(ip + 4, (short)100)
            .putShort(ip + 6, (short)0x4000).put(ip + 8, (byte)64).put(ip + 9, (byte)17)
            .putInt(ip + 12, 0x0AF40205).putInt(ip + 16, 0x0AF40100);
        int ipSum = 0;
        for (int i = 0; i < 20; i += 2) {
            ipSum += packet.getShort(ip + i) & 0xFFFF;
        }
        ipSum = (ipSum & 0xFFFF) + (ipSum >>> 16);
        packet.putShort(ip + 10, (short)~ipSum);
        final int udp = ip + 20;
        int pseudo = 0x0AF4 + 0x0205 + 0x0AF4 + 0x0100 + 17 + 8 + payload;
        pseudo = (pseudo & 0xFFFF) + (pseudo >>> 16);
        packet.putShort(udp, (short)5555).putShort(udp + 2, (short)7777).putShort(udp + 4, (short)(8 + payload))
            .putShort(udp + 6, (short)pseudo);
        for (int i = 0; i < payload; i++) {
            packet.put(udp + 8 + i, (byte)(i / gsoSize + 1));
        }
        return packet;
    }
}
