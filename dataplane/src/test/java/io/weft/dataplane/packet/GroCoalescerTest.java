package io.weft.dataplane.packet;

import static io.weft.dataplane.packet.Ipv4Header.DONT_FRAGMENT;
import static io.weft.dataplane.packet.Ipv4Header.MORE_FRAGMENTS;
import static io.weft.dataplane.packet.TcpHeader.ACK;
import static io.weft.dataplane.packet.TcpHeader.CWR;
import static io.weft.dataplane.packet.TcpHeader.ECE;
import static io.weft.dataplane.packet.TcpHeader.FIN;
import static io.weft.dataplane.packet.TcpHeader.PSH;
import static io.weft.dataplane.packet.TcpHeader.RST;
import static io.weft.dataplane.packet.TcpHeader.SYN;
import static io.weft.dataplane.packet.TcpHeader.URG;
import static io.weft.dataplane.packet.TestPackets.getShort;
import static io.weft.dataplane.packet.TestPackets.ip;
import static io.weft.dataplane.packet.TestPackets.pattern;
import static io.weft.dataplane.packet.TestPackets.virtioField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class GroCoalescerTest {
    private static final int VIRTIO = VirtioNetHeader.LENGTH;
    /** NOP, NOP, Timestamps with a later TSval than {@link TestPackets#TIMESTAMPS}. */
    private static final byte[] LATER_TIMESTAMPS = {1, 1, 8, 10, 0, 1, 0x23, 0x46, 0, 0, 0x67, (byte)0x89};

    private final List<byte[]> writes = new ArrayList<>();
    private final GroCoalescer coalescer = new GroCoalescer(new UnsafeBuffer(new byte[GroCoalescer.OUTPUT_LENGTH]),
        (buffer, offset, length) -> {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            writes.add(copy);
        });

    @ParameterizedTest(name = "payload {0}, gso_size {1}")
    @CsvSource({"65483, 1420", "65483, 1448", "14200, 1420", "3000, 1000", "1001, 1000", "60, 1"})
    void shouldRebuildTheOriginalSuperPacketWhenItsSegmentsComeBackInOrder(final int payloadLength,
        final int gsoSize) {
        final byte[] original = TestPackets.tcp().flags(ACK | PSH).payload(pattern(1, payloadLength))
            .buildSuperPacket(gsoSize);
        final TsoSplitter splitter = new TsoSplitter();
        final UnsafeBuffer segments = new UnsafeBuffer(new byte[70_000]);
        final int count =
            new SegmentAssembler(splitter).split(new UnsafeBuffer(original), 0, original.length, segments, 0, 70_000);
        assertThat(count).isGreaterThan(1);

        int at = 0;
        for (int i = 0; i < count; i++) {
            final int length = i == count - 1 ? splitter.lastSegmentLength() : splitter.segmentLength();
            final int expected = i == 0 ? GroCoalescer.HELD : GroCoalescer.APPENDED;
            assertThat(coalescer.offer(segments, at, length)).isEqualTo(expected);
            at += length;
        }
        coalescer.flush();

        assertThat(writes).hasSize(1);
        assertThat(writes.get(0)).as("virtio_net_hdr and packet, byte for byte").isEqualTo(original);
        assertPartialChecksumCompletesValid(writes.get(0));
    }

    @Test
    void shouldWriteThePacketUnchangedBehindAZeroedHeaderWhenItIsAlone() {
        final byte[] packet = new Flow().next();

        assertThat(offer(packet)).isEqualTo(GroCoalescer.HELD);
        assertThat(writes).as("held until flush").isEmpty();
        coalescer.flush();
        coalescer.flush();

        assertThat(writes).hasSize(1);
        assertThat(Arrays.copyOfRange(writes.get(0), 0, VIRTIO)).isEqualTo(new byte[VIRTIO]);
        assertThat(Arrays.copyOfRange(writes.get(0), VIRTIO, writes.get(0).length)).isEqualTo(packet);
    }

    @Test
    void shouldRebuildTheOriginalSuperPacketWhenItsSegmentsCarryPartialChecksums() {
        final byte[] original = TestPackets.tcp().flags(ACK | PSH).payload(pattern(2, 65483))
            .buildSuperPacket(1448);
        final TsoSplitter splitter = new TsoSplitter();
        final UnsafeBuffer segments = new UnsafeBuffer(new byte[70_000]);
        final int count = new SegmentAssembler(splitter).split(new UnsafeBuffer(original), 0, original.length,
            segments, 0, 70_000, true);

        int at = 0;
        for (int i = 0; i < count; i++) {
            final int length = i == count - 1 ? splitter.lastSegmentLength() : splitter.segmentLength();
            assertThat(coalescer.offer(segments, at, length)).isEqualTo(i == 0 ? GroCoalescer.HELD :
                GroCoalescer.APPENDED);
            at += length;
        }
        coalescer.flush();

        assertThat(writes).hasSize(1);
        assertThat(writes.get(0)).as("virtio_net_hdr and packet, byte for byte").isEqualTo(original);
    }

    @Test
    void shouldMarkAPartialChecksumForTheKernelWhenAPacketIsWrittenAlone() {
        final byte[] valid = new Flow().next(s -> s.flags(ACK | FIN));
        final byte[] partial = valid.clone();
        TestPackets.putShort(partial, 20 + TcpHeader.CHECKSUM_OFFSET, TestPackets.pseudoHeaderSum(partial, 0));
        final byte[] udp = TestPackets.udp().payloadLength(100).partialChecksum().build();

        offer(valid);
        offer(partial);
        offer(udp);
        coalescer.flush();

        assertThat(writes).hasSize(3);
        assertThat(Arrays.copyOfRange(writes.get(0), 0, VIRTIO)).as("a complete checksum: no flag")
            .isEqualTo(new byte[VIRTIO]);
        assertThat(writes.get(1)[VirtioNetHeader.FLAGS_OFFSET]).isEqualTo((byte)VirtioNetHeader.F_NEEDS_CSUM);
        assertThat(virtioField(writes.get(1), VirtioNetHeader.CSUM_START_OFFSET)).isEqualTo(20);
        assertThat(virtioField(writes.get(1), VirtioNetHeader.CSUM_OFFSET_OFFSET)).isEqualTo(TcpHeader.CHECKSUM_OFFSET);
        assertThat(Arrays.copyOfRange(writes.get(1), VIRTIO, writes.get(1).length)).isEqualTo(partial);
        assertPartialChecksumCompletesValid(writes.get(1));
        assertThat(virtioField(writes.get(2), VirtioNetHeader.CSUM_OFFSET_OFFSET)).isEqualTo(6);
        assertPartialChecksumCompletesValid(writes.get(2));
        assertThat(writes.get(1)[VirtioNetHeader.GSO_TYPE_OFFSET]).isZero();
    }

    @Test
    void shouldMergeARunOfOneUdpFlowIntoOneUdpSuperPacketThatTheKernelCutsBackIntoTheSameDatagrams() {
        final GroCoalescer udp = udpCoalescer();
        final List<byte[]> datagrams = List.of(datagram(100, 5555, 64, 1), datagram(101, 5555, 64, 2),
            datagram(102, 5555, 64, 3), datagram(103, 5555, 30, 4));
        for (int i = 0; i < datagrams.size(); i++) {
            assertThat(udp.offer(new UnsafeBuffer(datagrams.get(i)), 0, datagrams.get(i).length))
                .isEqualTo(i == 0 ? GroCoalescer.HELD : GroCoalescer.APPENDED);
        }
        udp.flush();

        assertThat(writes).hasSize(1);
        final byte[] write = writes.get(0);
        assertThat(write.length).isEqualTo(VIRTIO + 28 + 3 * 64 + 30);
        assertThat(write[VirtioNetHeader.FLAGS_OFFSET]).isEqualTo((byte)VirtioNetHeader.F_NEEDS_CSUM);
        assertThat(write[VirtioNetHeader.GSO_TYPE_OFFSET]).isEqualTo((byte)VirtioNetHeader.GSO_UDP_L4);
        assertThat(virtioField(write, VirtioNetHeader.GSO_SIZE_OFFSET)).isEqualTo(64);
        assertThat(virtioField(write, VirtioNetHeader.HDR_LEN_OFFSET)).isEqualTo(28);
        assertThat(virtioField(write, VirtioNetHeader.CSUM_START_OFFSET)).isEqualTo(20);
        assertThat(virtioField(write, VirtioNetHeader.CSUM_OFFSET_OFFSET)).isEqualTo(6);
        assertPartialChecksumCompletesValid(write);
        assertThat(cutAsTheKernelDoes(write, 64)).as("the datagrams __udp_gso_segment makes, byte for byte")
            .containsExactlyElementsOf(datagrams);
    }

    @Test
    void shouldWriteUdpDatagramsOneByOneWhenTheTunTakesNoUdpSuperPackets() {
        for (int i = 0; i < 3; i++) {
            assertThat(offer(datagram(100 + i, 5555, 64, i))).isEqualTo(GroCoalescer.HELD);
        }
        coalescer.flush();

        assertThat(writes).hasSize(3).allSatisfy(write -> assertThat(write[VirtioNetHeader.GSO_TYPE_OFFSET]).isZero());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("udpRunBreaks")
    void shouldEndAUdpRunWhereMergingWouldChangeWhatTheReceiverSees(final String name, final byte[] second) {
        final GroCoalescer udp = udpCoalescer();
        final byte[] first = datagram(100, 5555, 64, 1);
        assertThat(udp.offer(new UnsafeBuffer(first), 0, first.length)).isEqualTo(GroCoalescer.HELD);
        assertThat(udp.offer(new UnsafeBuffer(second), 0, second.length)).isEqualTo(GroCoalescer.HELD);
        udp.flush();

        assertThat(writes).containsExactly(withZeroVirtioHeader(first), withZeroVirtioHeader(second));
    }

    static Stream<Arguments> udpRunBreaks() {
        final byte[] zeroChecksum = datagram(101, 5555, 64, 2);
        TestPackets.putShort(zeroChecksum, 26, 0);
        return Stream.of(
            Arguments.of("identification not the next one", datagram(105, 5555, 64, 2)),
            Arguments.of("another source port", datagram(101, 5556, 64, 2)),
            Arguments.of("longer than the first", datagram(101, 5555, 65, 2)),
            Arguments.of("no UDP checksum", zeroChecksum),
            Arguments.of("corrupt payload", corrupt(datagram(101, 5555, 64, 2), 40)));
    }

    @Test
    void shouldStopAUdpRunAt64Datagrams() {
        final GroCoalescer udp = udpCoalescer();
        for (int i = 0; i < 65; i++) {
            final byte[] datagram = datagram(i, 5555, 16, i);
            udp.offer(new UnsafeBuffer(datagram), 0, datagram.length);
        }
        udp.flush();

        assertThat(writes).hasSize(2);
        assertThat(writes.get(0).length).isEqualTo(VIRTIO + 28 + 64 * 16);
    }

    @Test
    void shouldStartOverWhenTheCallerFlushesBetweenBatches() {
        final Flow flow = new Flow();
        final List<byte[]> packets = List.of(flow.next(), flow.next(), flow.next(), flow.next());

        offer(packets.get(0));
        offer(packets.get(1));
        coalescer.flush();
        offer(packets.get(2));
        offer(packets.get(3));
        coalescer.flush();

        assertThat(segmentsPerWrite()).containsExactly(2, 2);
        assertWritesCarry(packets);
    }

    static Stream<Arguments> runBreakers() {
        return Stream.of(
            breaks("another flow's segment", f -> List.of(f.next(), f.next(), f.aside(s -> s.sourcePort(1)), f.next(),
                f.next()), 2, 1, 2),
            breaks("another destination", f -> List.of(f.next(), f.next(),
                f.aside(s -> s.destination(ip("10.244.3.3"))), f.next(), f.next()), 2, 1, 2),
            breaks("a gap in sequence numbers", f -> List.of(f.next(), f.next(), f.skip(), f.next(), f.next()), 2, 3),
            // The retransmitted segment is followed by the next in sequence: it starts a run of its own.
            breaks("a retransmission", f -> List.of(f.next(), f.next(), f.aside(s -> s.sequence(s.sequence() - 1000)),
                f.next(), f.next()), 2, 3),
            breaks("other options", f -> List.of(f.next(), f.next(), f.next(s -> s.options(LATER_TIMESTAMPS)),
                f.next(s -> s.options(LATER_TIMESTAMPS))), 2, 2),
            breaks("options of another length", f -> List.of(f.next(), f.next(), f.next(s -> s.options(new byte[16])),
                f.next(s -> s.options(new byte[16]))), 2, 2),
            breaks("no options after options", f -> List.of(f.next(), f.next(), f.next(s -> s.options(new byte[0])),
                f.next(s -> s.options(new byte[0]))), 2, 2),
            breaks("another ack", f -> List.of(f.next(), f.next(),
                f.next(s -> s.acknowledgment(s.acknowledgment() + 1)),
                f.next(s -> s.acknowledgment(s.acknowledgment() + 1))), 2, 2),
            breaks("another TTL", f -> List.of(f.next(), f.next(), f.next(s -> s.ttl(62)), f.next(s -> s.ttl(62))),
                2, 2),
            breaks("another TOS (an ECN mark)", f -> List.of(f.next(), f.next(), f.next(s -> s.typeOfService(3)),
                f.next(s -> s.typeOfService(3))), 2, 2),
            breaks("DF cleared", f -> List.of(f.next(), f.next(), f.next(s -> s.flagsAndFragmentOffset(0)),
                f.next(s -> s.flagsAndFragmentOffset(0))), 2, 2),
            // Without DF the kernel would give the segments it cuts identifications the sender did not.
            breaks("no DF, identifications not consecutive", f -> List.of(f.next(s -> s.flagsAndFragmentOffset(0)),
                f.next(s -> s.flagsAndFragmentOffset(0)),
                f.next(s -> s.flagsAndFragmentOffset(0).identification(s.identification() + 7)),
                f.next(s -> s.flagsAndFragmentOffset(0))), 2, 1, 1),
            breaks("with DF, identifications need not be consecutive", f -> List.of(f.next(),
                f.next(s -> s.identification(9)), f.next(s -> s.identification(3))), 3),
            breaks("another window", f -> List.of(f.next(), f.next(), f.next(s -> s.window(4000)),
                f.next(s -> s.window(4000))), 2, 2),
            breaks("PSH in the middle", f -> List.of(f.next(), f.next(s -> s.flags(ACK | PSH)), f.next(), f.next()),
                2, 2),
            breaks("PSH on the first", f -> List.of(f.next(s -> s.flags(ACK | PSH)), f.next(), f.next()), 1, 2),
            breaks("no ACK", f -> List.of(f.next(), f.next(), f.next(s -> s.flags(0)), f.next()), 2, 1, 1),
            breaks("a shorter segment in the middle", f -> List.of(f.next(), f.next(500), f.next(), f.next()), 2, 2),
            breaks("a longer segment than the first", f -> List.of(f.next(500), f.next(), f.next()), 1, 2),
            breaks("a bare ACK", f -> List.of(f.next(), f.next(), f.next(0), f.next(), f.next()), 2, 1, 2),
            breaks("a UDP packet", f -> List.of(f.next(), f.next(),
                TestPackets.udp().totalLength(1000).build(), f.next(), f.next()), 2, 1, 2),
            breaks("more fragments", f -> List.of(f.next(), f.next(),
                f.next(s -> s.flagsAndFragmentOffset(MORE_FRAGMENTS)), f.next()), 2, 1, 1),
            breaks("a fragment offset", f -> List.of(f.next(), f.next(),
                f.next(s -> s.flagsAndFragmentOffset(DONT_FRAGMENT | 1)), f.next()), 2, 1, 1),
            breaks("IP options", f -> List.of(f.next(), f.next(), f.next(s -> s.ipHeaderLength(24)), f.next()),
                2, 1, 1),
            breaks("a bad TCP checksum", f -> List.of(f.next(), f.next(), corrupt(f.next(), 300), f.next()), 2, 1, 1),
            breaks("a bad IP checksum", f -> List.of(f.next(), f.next(), corrupt(f.next(), 5), f.next()), 2, 1, 1),
            breaks("more than 65535 bytes", f -> f.segments(50, 1400), 46, 4),
            breaks("more than 65535 bytes at a short last", f -> f.segments(47, 1400), 46, 1),
            breaks("nothing until 65535 bytes exactly", f -> f.segments(12, 5953), 11, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runBreakers")
    void shouldEndTheRunExactlyThereWhenMergingIsUnsafe(final String name, final List<byte[]> packets,
        final List<Integer> expected) {
        for (final byte[] packet : packets) {
            assertThat(offer(packet)).isNotNegative();
        }
        coalescer.flush();

        assertThat(segmentsPerWrite()).isEqualTo(expected);
        assertWritesCarry(packets);
    }

    @ParameterizedTest
    @ValueSource(ints = {FIN, RST, SYN, URG, CWR, ECE})
    void shouldSendASegmentAloneWhenItCarriesAFlagBeyondAckAndPsh(final int flag) {
        final Flow flow = new Flow();
        final List<byte[]> packets = List.of(flow.next(), flow.next(), flow.next(s -> s.flags(ACK | flag)),
            flow.next(), flow.next(s -> s.flags(ACK | PSH | flag)), flow.next());

        packets.forEach(this::offer);
        coalescer.flush();

        assertThat(segmentsPerWrite()).containsExactly(2, 1, 1, 1, 1);
        assertWritesCarry(packets);
    }

    @Test
    void shouldRefuseWithoutChangingAnythingWhenTheRangeIsOutsideTheBuffer() {
        final Flow flow = new Flow();
        final byte[] first = flow.next();
        final byte[] second = flow.next();
        offer(first);

        final UnsafeBuffer buffer = new UnsafeBuffer(second);
        assertThat(coalescer.offer(buffer, 1, second.length)).isEqualTo(GroCoalescer.ERROR_BAD_LENGTH);
        assertThat(coalescer.offer(buffer, -1, 10)).isEqualTo(GroCoalescer.ERROR_BAD_LENGTH);
        assertThat(coalescer.offer(buffer, 0, 0)).isEqualTo(GroCoalescer.ERROR_BAD_LENGTH);
        assertThat(coalescer.offer(new UnsafeBuffer(new byte[70_000]), 0, 65_536))
            .isEqualTo(GroCoalescer.ERROR_BAD_LENGTH);
        assertThat(offer(second)).isEqualTo(GroCoalescer.APPENDED);
        coalescer.flush();

        assertThat(segmentsPerWrite()).containsExactly(2);
    }

    @Test
    void shouldRefuseAnOutputBufferTooSmallForTheLargestPacketWhenBuilt() {
        assertThatThrownBy(() -> new GroCoalescer(new UnsafeBuffer(new byte[65_535]), (buffer, offset, length) -> {
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65545");
    }

    @Test
    void shouldDeliverEveryPacketInOrderWhenPacketsAreRandomlyDamagedOrMixed() {
        final Random random = new Random(0x6F0_C0A1L);
        for (int run = 0; run < 300; run++) {
            writes.clear();
            final Flow flow = new Flow();
            final List<byte[]> packets = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                final int choice = random.nextInt(10);
                final byte[] packet = choice < 6 ? flow.next(1 + random.nextInt(1000) / 100 * 100) : flow.next();
                if (choice >= 8) {
                    packet[random.nextInt(packet.length)] = (byte)random.nextInt(256);
                }
                packets.add(packet);
            }
            final int runNumber = run;
            assertThatCode(() -> {
                for (final byte[] packet : packets) {
                    assertThat(offer(packet)).as("run %d", runNumber).isNotNegative();
                }
                coalescer.flush();
            }).doesNotThrowAnyException();

            assertThat(segmentsPerWrite().stream().mapToInt(Integer::intValue).sum()).isEqualTo(packets.size());
            writes.forEach(GroCoalescerTest::assertPartialChecksumCompletesValid);
        }
    }

    @Test
    void shouldNeverThrowWhenBytesAreRandom() {
        final Random random = new Random(0xBAD_B17EL);
        final byte[] bytes = new byte[2000];
        for (int run = 0; run < 20_000; run++) {
            random.nextBytes(bytes);
            if (random.nextBoolean()) {
                System.arraycopy(new Flow().next(), 0, bytes, 0, 20); // a plausible IP header over random TCP
            }
            final int offset = random.nextInt(bytes.length);
            final int length = random.nextInt(bytes.length - offset + 1);

            assertThatCode(() -> coalescer.offer(new UnsafeBuffer(bytes), offset, length)).doesNotThrowAnyException();
        }
        coalescer.flush();
    }

    @Test
    void shouldAllocateNothingWhenOfferingAndFlushing() {
        final Flow flow = new Flow();
        final UnsafeBuffer batch = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1500));
        final int[] offsets = new int[65];
        for (int i = 0; i < 64; i++) {
            final byte[] packet = i % 16 == 15 ? flow.next(s -> s.flags(ACK | PSH)) : flow.next();
            batch.putBytes(offsets[i], packet);
            offsets[i + 1] = offsets[i] + packet.length;
        }
        final int[] written = new int[1];
        final GroCoalescer quiet = new GroCoalescer(new UnsafeBuffer(ByteBuffer.allocateDirect(
            GroCoalescer.OUTPUT_LENGTH)), (buffer, offset, length) -> written[0] += length);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

        offerBatches(quiet, batch, offsets, 2_000);
        final long before = threads.getCurrentThreadAllocatedBytes();
        offerBatches(quiet, batch, offsets, 2_000);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated).as("bytes allocated for 128,000 packets").isLessThan(10_000);
        assertThat(written[0]).isPositive();
    }

    private static void offerBatches(final GroCoalescer coalescer, final UnsafeBuffer batch, final int[] offsets,
        final int batches) {
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < 64; i++) {
                coalescer.offer(batch, offsets[i], offsets[i + 1] - offsets[i]);
            }
            coalescer.flush();
        }
    }

    private int offer(final byte[] packet) {
        return coalescer.offer(new UnsafeBuffer(packet), 0, packet.length);
    }

    /** Segments in each write: 1 without GSO, else the payload cut in gso_size pieces. */
    private List<Integer> segmentsPerWrite() {
        final List<Integer> counts = new ArrayList<>();
        for (final byte[] write : writes) {
            if (write[VirtioNetHeader.GSO_TYPE_OFFSET] == 0) {
                counts.add(1);
                continue;
            }
            final int payloadLength = write.length - VIRTIO - virtioField(write, VirtioNetHeader.HDR_LEN_OFFSET);
            final int gsoSize = virtioField(write, VirtioNetHeader.GSO_SIZE_OFFSET);
            counts.add((payloadLength + gsoSize - 1) / gsoSize);
        }
        return counts;
    }

    /**
     * The writes, in order, carry exactly the offered packets: a lone packet unchanged behind a zeroed header; a
     * super-packet as its first segment's headers (total length, checksums and PSH fixed) and all the payloads.
     */
    private void assertWritesCarry(final List<byte[]> packets) {
        int next = 0;
        final List<Integer> counts = segmentsPerWrite();
        for (int w = 0; w < writes.size(); w++) {
            final byte[] write = writes.get(w);
            final int count = counts.get(w);
            if (count == 1 && write[VirtioNetHeader.GSO_TYPE_OFFSET] == 0) {
                assertThat(Arrays.copyOfRange(write, 0, VIRTIO)).as("write %d header", w).isEqualTo(new byte[VIRTIO]);
                assertThat(Arrays.copyOfRange(write, VIRTIO, write.length)).as("write %d", w)
                    .isEqualTo(packets.get(next++));
                continue;
            }
            final byte[] first = packets.get(next);
            final byte[] last = packets.get(next + count - 1);
            final int headers = 20 + ((first[32] & 0xF0) >>> 4) * 4;
            final ByteArrayOutputStream payload = new ByteArrayOutputStream();
            for (int i = 0; i < count; i++) {
                final byte[] segment = packets.get(next + i);
                payload.write(segment, headers, segment.length - headers);
            }
            next += count;
            assertThat(write[VirtioNetHeader.FLAGS_OFFSET]).isEqualTo((byte)VirtioNetHeader.F_NEEDS_CSUM);
            assertThat(write[VirtioNetHeader.GSO_TYPE_OFFSET]).isEqualTo((byte)VirtioNetHeader.GSO_TCPV4);
            assertThat(virtioField(write, VirtioNetHeader.HDR_LEN_OFFSET)).isEqualTo(headers);
            assertThat(virtioField(write, VirtioNetHeader.GSO_SIZE_OFFSET)).isEqualTo(first.length - headers);
            assertThat(virtioField(write, VirtioNetHeader.CSUM_START_OFFSET)).isEqualTo(20);
            assertThat(virtioField(write, VirtioNetHeader.CSUM_OFFSET_OFFSET)).isEqualTo(16);
            assertThat(getShort(write, VIRTIO + 2)).isEqualTo(write.length - VIRTIO);
            assertThat(TestPackets.checksumVerifies(write, VIRTIO, 20)).as("write %d IP checksum", w).isTrue();
            assertSameBytes(write, first, 0, 2); // version, IHL, TOS
            assertSameBytes(write, first, 4, 10); // id, DF, TTL, protocol
            assertSameBytes(write, first, 12, 33); // addresses, ports, seq, ack, data offset
            assertThat(write[VIRTIO + 33]).as("first's flags, last's PSH").isEqualTo((byte)(first[33] | last[33]));
            assertSameBytes(write, first, 34, 36); // window
            assertSameBytes(write, first, 38, headers); // urgent pointer, options
            assertThat(getShort(write, VIRTIO + 36)).as("pseudo-header sum")
                .isEqualTo(TestPackets.pseudoHeaderSum(write, VIRTIO));
            assertThat(Arrays.copyOfRange(write, VIRTIO + headers, write.length)).isEqualTo(payload.toByteArray());
            assertPartialChecksumCompletesValid(write);
        }
        assertThat(next).as("every packet written once").isEqualTo(packets.size());
    }

    private static void assertSameBytes(final byte[] write, final byte[] packet, final int from, final int to) {
        assertThat(Arrays.copyOfRange(write, VIRTIO + from, VIRTIO + to)).as("bytes %d to %d", from, to)
            .isEqualTo(Arrays.copyOfRange(packet, from, to));
    }

    /** What the kernel will do with NEEDS_CSUM: sum from csum_start over the partial field, store the complement. */
    private GroCoalescer udpCoalescer() {
        return new GroCoalescer(new UnsafeBuffer(new byte[GroCoalescer.OUTPUT_LENGTH]), (buffer, offset, length) -> {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            writes.add(copy);
        }, true);
    }

    /** A UDP datagram 10.244.1.2:sourcePort to 10.244.2.3:7777 with a valid checksum and DF set. */
    private static byte[] datagram(final int identification, final int sourcePort, final int payload, final int seed) {
        return TestPackets.udp().identification(identification).sourcePort(sourcePort).destinationPort(7777)
            .payload(pattern(seed, payload)).build();
    }

    /** What __udp_gso_segment makes of a UDP super-packet: headers copied, lengths, IDs and checksums per datagram. */
    private static List<byte[]> cutAsTheKernelDoes(final byte[] write, final int gsoSize) {
        final byte[] superPacket = Arrays.copyOfRange(write, VIRTIO, write.length);
        final List<byte[]> datagrams = new ArrayList<>();
        for (int at = 28, i = 0; at < superPacket.length; at += gsoSize, i++) {
            final int payload = Math.min(gsoSize, superPacket.length - at);
            final byte[] datagram = new byte[28 + payload];
            System.arraycopy(superPacket, 0, datagram, 0, 28);
            System.arraycopy(superPacket, at, datagram, 28, payload);
            TestPackets.putShort(datagram, 2, datagram.length);
            TestPackets.putShort(datagram, 4, getShort(superPacket, 4) + i);
            TestPackets.storeHeaderChecksum(datagram);
            TestPackets.putShort(datagram, 24, 8 + payload);
            TestPackets.storeTransportChecksum(datagram, 0, datagram.length, 6);
            datagrams.add(datagram);
        }
        return datagrams;
    }

    private static byte[] withZeroVirtioHeader(final byte[] packet) {
        final byte[] write = new byte[VIRTIO + packet.length];
        System.arraycopy(packet, 0, write, VIRTIO, packet.length);
        return write;
    }

    private static void assertPartialChecksumCompletesValid(final byte[] write) {
        if (write[VirtioNetHeader.FLAGS_OFFSET] == 0) {
            return;
        }
        final byte[] packet = Arrays.copyOfRange(write, VIRTIO, write.length);
        final int start = virtioField(write, VirtioNetHeader.CSUM_START_OFFSET);
        final int field = start + virtioField(write, VirtioNetHeader.CSUM_OFFSET_OFFSET);
        TestPackets.putShort(packet, field, ~TestPackets.onesComplementSum(packet, start, packet.length - start));
        assertThat(TestPackets.transportChecksumVerifies(packet, 0, packet.length)).isTrue();
    }

    private static byte[] corrupt(final byte[] packet, final int at) {
        packet[at] ^= 0x40;
        return packet;
    }

    private static Arguments breaks(final String name, final Function<Flow, List<byte[]>> packets,
        final Integer... segmentsPerWrite) {
        return Arguments.of(name, packets.apply(new Flow()), List.of(segmentsPerWrite));
    }

    /** Consecutive segments of one bulk flow, 1000 payload bytes each unless told otherwise. */
    static final class Flow {
        private final TestPackets.Builder base = TestPackets.tcp();
        private int sequence = base.sequence();
        private int identifications;

        byte[] next() {
            return next(1000, segment -> {
            });
        }

        byte[] next(final int payloadLength) {
            return next(payloadLength, segment -> {
            });
        }

        byte[] next(final Consumer<TestPackets.Builder> change) {
            return next(1000, change);
        }

        byte[] next(final int payloadLength, final Consumer<TestPackets.Builder> change) {
            final byte[] packet = aside(payloadLength, change);
            sequence += payloadLength;
            return packet;
        }

        /** A segment at the current sequence number that does not advance it (another flow, a retransmission). */
        byte[] aside(final Consumer<TestPackets.Builder> change) {
            return aside(1000, change);
        }

        /** Skips one segment (lost), then returns the next. */
        byte[] skip() {
            sequence += 1000;
            return next();
        }

        List<byte[]> segments(final int count, final int payloadLength) {
            final List<byte[]> packets = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                packets.add(next(payloadLength));
            }
            return packets;
        }

        private byte[] aside(final int payloadLength, final Consumer<TestPackets.Builder> change) {
            // As Linux numbers a flow's segments: one identification after another.
            final TestPackets.Builder segment = base.copy().sequence(sequence).payload(pattern(sequence, payloadLength))
                .identification(base.identification() + identifications++);
            change.accept(segment);
            return segment.build();
        }
    }
}
