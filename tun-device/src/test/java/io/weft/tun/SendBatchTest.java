package io.weft.tun;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** How a batch queues datagrams into messages, and what a send frees, on loopback without root. */
class SendBatchTest {
    private static final int LOOPBACK = 0x7F000001;
    private static final int SLOT = 2048;

    private final ByteBuffer slots = ByteBuffer.allocateDirect(4 * SLOT);
    private final long slotsAddress = jnr.ffi.Pointer.wrap(Native.RUNTIME, slots).address();

    @Test
    void shouldQueueDatagramsIntoTheMessagesGsoRunDecidesWhenSegmenting() {
        final SendBatch batch = new SendBatch(4, slotsAddress, SLOT, true);

        batch.add(0, 100, LOOPBACK, 8285);
        batch.add(0, 100, LOOPBACK, 8285);
        final int kept = batch.keepSlot();
        assertThat(batch.addGathered(slotsAddress + kept * SLOT, 40, slotsAddress + kept * SLOT + 40, 60, LOOPBACK,
            8285)).as("a gathered datagram of the run's size joins it").isTrue();
        assertThat(batch.addGathered(slotsAddress, 40, slotsAddress, 20, LOOPBACK, 8285)).isTrue();
        assertThat(batch.addGathered(slotsAddress, 40, slotsAddress, 60, LOOPBACK, 8285)).isFalse();
        batch.add(0, 100, LOOPBACK, 8286);

        assertThat(batch.size()).isEqualTo(3);
        assertThat(batch.datagrams(0)).isEqualTo(4);
        assertThat(batch.length(0)).isEqualTo(360);
        assertThat(batch.datagrams(1)).isEqualTo(1);
        assertThat(batch.datagrams(2)).isEqualTo(1);
        assertThat(batch.isFull()).isTrue();
        assertThat(batch.sendable(true)).as("the last run may grow").isEqualTo(2);
        assertThat(batch.sendable(false)).isEqualTo(3);
    }

    @Test
    void shouldQueueEveryDatagramAsAMessageOfItsOwnWithoutSegmentation() {
        final SendBatch batch = new SendBatch(4, slotsAddress, SLOT);

        batch.add(0, 100, LOOPBACK, 8285);
        batch.add(0, 100, LOOPBACK, 8285);

        assertThat(batch.size()).isEqualTo(2);
        assertThat(batch.sendable(true)).as("nothing may grow").isEqualTo(2);
    }

    @Test
    void shouldFreeSlotsKeptForNothingWhenASendFindsNothingToSend() throws Exception {
        final SendBatch batch = new SendBatch(4, slotsAddress, SLOT, true);
        try (UdpSocket socket = LoopbackUdp.bind(LOOPBACK, 0)) {
            for (int i = 0; i < 4; i++) {
                assertThat(batch.keepSlot()).isEqualTo(i);
            }
            assertThat(batch.isFull()).isTrue();

            assertThat(socket.send(batch, true)).isZero();

            assertThat(batch.systemCalls()).isZero();
            assertThat(batch.isFull()).isFalse();
            assertThat(batch.nextSlotAddress()).isEqualTo(slotsAddress);
        }
    }

    @Test
    void shouldKeepTheOpenRunQueuedAcrossASendAndSendItWithTheNext() throws Exception {
        final SendBatch batch = new SendBatch(4, slotsAddress, SLOT, true);
        try (UdpSocket receiver = LoopbackUdp.bind(LOOPBACK, 0); UdpSocket other = LoopbackUdp.bind(LOOPBACK, 0);
            UdpSocket sender = LoopbackUdp.bind(LOOPBACK, 0)) {
            final int port = LoopbackUdp.port(receiver);
            final ByteBuffer in = ByteBuffer.allocateDirect(65536);
            final long inAddress = jnr.ffi.Pointer.wrap(Native.RUNTIME, in).address();
            slots.put(0, (byte)1).put(SLOT, (byte)2).put(2 * SLOT, (byte)3);
            batch.add(0, 10, LOOPBACK, LoopbackUdp.port(other));
            batch.add(0, 100, LOOPBACK, port);

            assertThat(sender.send(batch, true)).isEqualTo(1);
            assertThat(batch.firstUnsent()).isEqualTo(1);
            assertThat(other.receive(inAddress, 65536)).isEqualTo(10);
            assertThat(receiver.receive(inAddress, 65536)).as("the open run stayed").isEqualTo(-Errno.EAGAIN);

            batch.add(0, 100, LOOPBACK, port);
            assertThat(batch.datagrams(1)).as("joined the run left open").isEqualTo(2);
            assertThat(sender.send(batch, false)).isEqualTo(1);
            assertThat(batch.size()).isZero();
            for (int i = 2; i <= 3; i++) {
                assertThat(receiver.receive(inAddress, 65536)).isEqualTo(100);
                assertThat(in.get(0)).isEqualTo((byte)i);
            }
        }
    }

    @Test
    void shouldSendPrefixHeadersPayloadAndTrailerAsOneDatagramEachWithinAGsoRun() throws Exception {
        final SendBatch batch = new SendBatch(4, slotsAddress, SLOT, true);
        try (UdpSocket receiver = LoopbackUdp.bind(LOOPBACK, 0); UdpSocket sender = LoopbackUdp.bind(LOOPBACK, 0)) {
            final int port = LoopbackUdp.port(receiver);
            final ByteBuffer in = ByteBuffer.allocateDirect(65536);
            final long inAddress = jnr.ffi.Pointer.wrap(Native.RUNTIME, in).address();
            for (int i = 0; i < SLOT; i++) {
                slots.put(i, (byte)i);
            }
            // Two datagrams of one run: a 1-byte prefix, 3 header bytes, 8 payload bytes and a 2-byte trailer, from
            // four places; the second has no separate headers (an empty part is no iovec).
            assertThat(batch.addGathered(slotsAddress + 300, 1, slotsAddress + 1, 3, slotsAddress + 100, 8,
                slotsAddress + 200, 2, LOOPBACK, port)).isFalse();
            assertThat(batch.addGathered(slotsAddress + 301, 1, 0, 0, slotsAddress + 105, 11, slotsAddress + 202, 2,
                LOOPBACK, port)).as("same size, same peer: one GSO message").isTrue();

            assertThat(sender.send(batch, false)).isEqualTo(1);

            final byte[][] expected = {
                {(byte)300, 1, 2, 3, 100, 101, 102, 103, 104, 105, 106, 107, (byte)200, (byte)201},
                {(byte)301, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, (byte)202, (byte)203}};
            for (final byte[] datagram : expected) {
                assertThat(receiver.receive(inAddress, 65536)).isEqualTo(14);
                final byte[] received = new byte[14];
                in.get(0, received);
                assertThat(received).isEqualTo(datagram);
            }
        }
    }
}
