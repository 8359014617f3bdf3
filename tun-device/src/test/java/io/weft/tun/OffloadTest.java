package io.weft.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kernel offloads the fast path relies on, probed on this kernel: TUN vnet headers, UDP GSO and UDP GRO. */
class OffloadTest
{
    private static final int LOOPBACK = 0x7F000001;
    private static final int SEGMENT = 1000;
    private static final int SEGMENTS = 10;

    @BeforeEach
    void needsRoot()
    {
        assumeTrue(TestNamespace.isRoot(), "needs root: creates network namespaces and TUN devices");
    }

    @Test
    void shouldSplitOneGsoSendIntoDatagramsWhenReceiverHasNoGro() throws Exception
    {
        try (TestNamespace ns = TestNamespace.create("gso"))
        {
            ns.run(() ->
            {
                try (UdpSocket receiver = UdpSocket.bind(LOOPBACK, 8285, false, 1 << 20, 1 << 20);
                    UdpSocket sender = UdpSocket.bind(LOOPBACK, 0, false, 0, 0))
                {
                    assertThat(sender.supportsGso()).isTrue();
                    final ByteBuffer data = ByteBuffer.allocateDirect(SEGMENT * SEGMENTS);
                    final long address = jnr.ffi.Pointer.wrap(Native.RUNTIME, data).address();
                    for (int i = 0; i < SEGMENT * SEGMENTS; i++)
                    {
                        data.put(i, (byte)(i / SEGMENT));
                    }
                    assertThat(sender.sendSegments(address, SEGMENT * SEGMENTS, SEGMENT, LOOPBACK, 8285))
                        .isEqualTo(SEGMENT * SEGMENTS);

                    final ByteBuffer in = ByteBuffer.allocateDirect(65536);
                    final long inAddress = jnr.ffi.Pointer.wrap(Native.RUNTIME, in).address();
                    for (int i = 0; i < SEGMENTS; i++)
                    {
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
    void shouldHandOverConsecutiveDatagramsAsOneBufferWithGro() throws Exception
    {
        try (TestNamespace ns = TestNamespace.create("gro"))
        {
            ns.run(() ->
            {
                try (UdpSocket receiver = UdpSocket.bind(LOOPBACK, 8285, false, 1 << 20, 1 << 20);
                    UdpSocket sender = UdpSocket.bind(LOOPBACK, 0, false, 0, 0))
                {
                    assertThat(receiver.enableGro()).isTrue();
                    final ByteBuffer data = ByteBuffer.allocateDirect(SEGMENT * SEGMENTS);
                    final long address = jnr.ffi.Pointer.wrap(Native.RUNTIME, data).address();
                    final int total = SEGMENT * SEGMENTS - 300;
                    assertThat(sender.sendSegments(address, total, SEGMENT, LOOPBACK, 8285)).isEqualTo(total);

                    final ByteBuffer in = ByteBuffer.allocateDirect(65536);
                    final long inAddress = jnr.ffi.Pointer.wrap(Native.RUNTIME, in).address();
                    int received = 0;
                    int length;
                    while ((length = receiver.receive(inAddress, 65536)) > 0)
                    {
                        assertThat(length > SEGMENT ? receiver.segmentLength() : SEGMENT).isEqualTo(SEGMENT);
                        received += length;
                    }
                    assertThat(received).isEqualTo(total);
                }
            });
        }
    }

    @Test
    void shouldPrefixReadsWithVirtioNetHeaderWhenOffloadsAreOn() throws Exception
    {
        try (TestNamespace ns = TestNamespace.create("vnet"))
        {
            ns.run(() ->
            {
                try (TunDevice tun = TunDevice.open("flannel0", TunDevice.IFF_VNET_HDR | TunDevice.IFF_MULTI_QUEUE);
                    TunDevice secondQueue =
                        TunDevice.open("flannel0", TunDevice.IFF_VNET_HDR | TunDevice.IFF_MULTI_QUEUE);
                    Netlink netlink = new Netlink();
                    UdpSocket socket = UdpSocket.bind(0, 0, false, 0, 0))
                {
                    tun.setVnetHeaderLength(TunDevice.VIRTIO_NET_HDR_LENGTH);
                    tun.setOffload(TunDevice.TUN_F_CSUM | TunDevice.TUN_F_TSO4 | TunDevice.TUN_F_TSO6);
                    secondQueue.setVnetHeaderLength(TunDevice.VIRTIO_NET_HDR_LENGTH);
                    secondQueue.setOffload(TunDevice.TUN_F_CSUM | TunDevice.TUN_F_TSO4 | TunDevice.TUN_F_TSO6);
                    final int index = Netlink.linkIndex("flannel0");
                    netlink.addAddress(index, 0x0AF40100, 32);
                    netlink.setUp(index);
                    netlink.addRoute(0x0AF40000, 16, index);

                    final ByteBuffer payload = ByteBuffer.allocateDirect(64);
                    final long payloadAddress = jnr.ffi.Pointer.wrap(Native.RUNTIME, payload).address();
                    assertThat(socket.sendTo(payloadAddress, 10, 0x0AF40205, 7777)).isEqualTo(10);

                    final ByteBuffer packet = ByteBuffer.allocateDirect(65536).order(ByteOrder.LITTLE_ENDIAN);
                    final long packetAddress = jnr.ffi.Pointer.wrap(Native.RUNTIME, packet).address();
                    Thread.sleep(50);
                    int length = tun.read(packetAddress, 65536);
                    if (length == 0)
                    {
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
    void shouldReceiveManyDatagramsInOneCallWithRecvmmsg() throws Exception
    {
        try (TestNamespace ns = TestNamespace.create("mmsg"))
        {
            ns.run(() ->
            {
                try (UdpSocket receiver = UdpSocket.bind(LOOPBACK, 8285, false, 1 << 20, 1 << 20);
                    UdpSocket sender = UdpSocket.bind(LOOPBACK, 40001, false, 0, 0))
                {
                    final ByteBuffer slots = ByteBuffer.allocateDirect(8 * 2048);
                    final long slotsAddress = jnr.ffi.Pointer.wrap(Native.RUNTIME, slots).address();
                    final ReceiveBatch batch = new ReceiveBatch(8, slotsAddress, 2048);
                    assertThat(receiver.receive(batch)).as("nothing queued").isZero();

                    final ByteBuffer data = ByteBuffer.allocateDirect(64);
                    final long address = jnr.ffi.Pointer.wrap(Native.RUNTIME, data).address();
                    for (int i = 0; i < 5; i++)
                    {
                        data.put(0, (byte)i);
                        assertThat(sender.sendTo(address, 10 + i, LOOPBACK, 8285)).isEqualTo(10 + i);
                    }
                    assertThat(receiver.receive(batch)).isEqualTo(5);
                    for (int i = 0; i < 5; i++)
                    {
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

    @Test
    void shouldSendManyDatagramsToTheirOwnDestinationsInOneCallWithSendmmsg() throws Exception
    {
        try (TestNamespace ns = TestNamespace.create("smsg"))
        {
            ns.run(() ->
            {
                try (UdpSocket first = UdpSocket.bind(LOOPBACK, 8285, false, 1 << 20, 1 << 20);
                    UdpSocket second = UdpSocket.bind(LOOPBACK, 8286, false, 1 << 20, 1 << 20);
                    UdpSocket sender = UdpSocket.bind(LOOPBACK, 0, false, 0, 0))
                {
                    final ByteBuffer slots = ByteBuffer.allocateDirect(4 * 2048);
                    final SendBatch batch = new SendBatch(4, jnr.ffi.Pointer.wrap(Native.RUNTIME, slots).address(),
                        2048);
                    for (int i = 0; i < 4; i++)
                    {
                        slots.put(i * 2048, (byte)(i + 1));
                        batch.add(0, 10 + i, LOOPBACK, i % 2 == 0 ? 8285 : 8286);
                    }
                    assertThat(batch.isFull()).isTrue();
                    assertThat(sender.send(batch)).isEqualTo(4);
                    assertThat(batch.size()).isZero();

                    final ByteBuffer in = ByteBuffer.allocateDirect(2048);
                    final long inAddress = jnr.ffi.Pointer.wrap(Native.RUNTIME, in).address();
                    assertThat(first.receive(inAddress, 2048)).isEqualTo(10);
                    assertThat(in.get(0)).isEqualTo((byte)1);
                    assertThat(first.receive(inAddress, 2048)).isEqualTo(12);
                    assertThat(second.receive(inAddress, 2048)).isEqualTo(11);
                    assertThat(in.get(0)).isEqualTo((byte)2);
                    assertThat(second.receive(inAddress, 2048)).isEqualTo(13);
                    assertThat(sender.send(batch)).as("an empty batch sends nothing").isZero();
                }
            });
        }
    }
}
