package io.weft.dataplane.packet;

import static io.weft.dataplane.packet.TcpHeader.ACK;
import static io.weft.dataplane.packet.TcpHeader.CWR;
import static io.weft.dataplane.packet.TcpHeader.FIN;
import static io.weft.dataplane.packet.TcpHeader.PSH;
import static io.weft.dataplane.packet.TestPackets.getInt;
import static io.weft.dataplane.packet.TestPackets.getShort;
import static io.weft.dataplane.packet.TestPackets.pattern;
import static io.weft.dataplane.packet.TestPackets.putShort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class TsoSplitterTest {
    private static final int VIRTIO = VirtioNetHeader.LENGTH;
    private static final int OUT_OFFSET = 7;
    private static final byte UNTOUCHED = 0x5A;

    private final TsoSplitter splitter = new TsoSplitter();
    private final SegmentAssembler assembler = new SegmentAssembler(splitter);
    private final byte[] out = new byte[2 * 65536];

    @ParameterizedTest(name = "payload {0}, gso_size {1}")
    @CsvSource({
        "65483, 1420, 47", // the largest super-packet, a 163-byte last segment
        "65483, 1448, 46",
        "14200, 1420, 10", // a whole number of segments: the last is full too
        "1421, 1420, 2", // a one-byte last segment
        "1420, 1420, 1",
        "100, 1420, 1",
        "640, 10, 64", // the most one UDP GSO send carries
        "1, 1, 1"})
    void shouldCutIntoEqualSegmentsAndAShorterLastWhenPayloadIsLongerThanGsoSize(final int payloadLength,
        final int gsoSize, final int expectedSegments) {
        final byte[] superPacket = TestPackets.tcp().flags(ACK | PSH | FIN | CWR)
            .payload(pattern(payloadLength, payloadLength)).buildSuperPacket(gsoSize);
        final byte[] before = superPacket.clone();

        final int segments = split(superPacket);

        assertThat(segments).isEqualTo(expectedSegments);
        assertSegments(superPacket, segments, gsoSize);
        assertThat(superPacket).as("input untouched").isEqualTo(before);
        final int headers = 20 + 32;
        assertThat(splitter.segmentLength()).isEqualTo(headers + Math.min(gsoSize, payloadLength));
        assertThat(splitter.lastSegmentLength()).isEqualTo(headers + payloadLength - (segments - 1) * gsoSize);
        assertThat(assembler.outputLength()).isEqualTo(payloadLength + segments * headers);
        assertThat(out[OUT_OFFSET - 1]).isEqualTo(UNTOUCHED);
        assertThat(out[OUT_OFFSET + assembler.outputLength()]).isEqualTo(UNTOUCHED);
    }

    @Test
    void shouldGiveEverySegmentTheIpOptionsWhenTheHeaderHasThem() {
        final byte[] superPacket =
            TestPackets.tcp().ipHeaderLength(28).payload(pattern(3, 5000)).buildSuperPacket(1400);

        assertThat(split(superPacket)).isEqualTo(4);
        assertSegments(superPacket, 4, 1400);
    }

    @Test
    void shouldSplitWhenGsoTypeCarriesTheEcnBit() {
        final byte[] superPacket = TestPackets.tcp().flags(ACK | CWR).payload(pattern(1, 4000))
            .buildSuperPacket(1000);
        superPacket[VirtioNetHeader.GSO_TYPE_OFFSET] = (byte)(VirtioNetHeader.GSO_TCPV4 | VirtioNetHeader.GSO_ECN);

        assertThat(split(superPacket)).isEqualTo(4);
        assertSegments(superPacket, 4, 1000);
    }

    @Test
    void shouldComputeFullChecksumsWhenTheKernelDidNotAskForOne() {
        final byte[] superPacket = TestPackets.tcp().payload(pattern(2, 3000)).buildSuperPacket(1000);
        superPacket[VirtioNetHeader.FLAGS_OFFSET] = 0;
        superPacket[VIRTIO + 20 + TcpHeader.CHECKSUM_OFFSET] = (byte)0xAB;

        assertThat(split(superPacket)).isEqualTo(3);
        assertSegments(superPacket, 3, 1000);
    }

    @Test
    void shouldIgnoreHdrLenWhenTheKernelReportsItsWholeLinearPart() {
        final byte[] superPacket = TestPackets.tcp().payload(pattern(4, 3000)).buildSuperPacket(1000);
        final byte[] linear = TestPackets.withVirtioHeader(Arrays.copyOfRange(superPacket, VIRTIO, superPacket.length),
            1, 1, 1052, 1000, 20, 16);

        assertThat(split(linear)).isEqualTo(3);
        assertSegments(linear, 3, 1000);
    }

    @Test
    void shouldSplitTheSameWhenBuffersAreOffHeap() {
        final byte[] superPacket = TestPackets.tcp().payload(pattern(5, 65483)).buildSuperPacket(1420);
        final PacketBuffer in = new PacketBuffer(VIRTIO + 65535);
        final PacketBuffer output = new PacketBuffer(70_000);
        in.buffer.putBytes(0, superPacket);

        final int segments = assembler.split(in.buffer, 0, superPacket.length, output.buffer, 0, output.capacity);

        assertThat(segments).isEqualTo(47);
        output.buffer.getBytes(0, out, OUT_OFFSET, assembler.outputLength());
        assertSegments(superPacket, segments, 1420);
    }

    static Stream<Arguments> malformedSuperPackets() {
        return Stream.of(
            refused("gso_type NONE", TsoSplitter.ERROR_NOT_GSO, p -> p[1] = 0),
            refused("gso_type UDP", TsoSplitter.ERROR_GSO_TYPE, p -> p[1] = 3),
            refused("gso_type TCPV6", TsoSplitter.ERROR_GSO_TYPE, p -> p[1] = 4),
            refused("gso_type UDP_L4", TsoSplitter.ERROR_GSO_TYPE, p -> p[1] = 5),
            refused("gso_type TCPV4 with a stray bit", TsoSplitter.ERROR_GSO_TYPE, p -> p[1] = 0x41),
            refused("IPv6 version", TsoSplitter.ERROR_IP_HEADER, p -> p[VIRTIO] = 0x65),
            refused("IHL 4", TsoSplitter.ERROR_IP_HEADER, p -> p[VIRTIO] = 0x44),
            refused("IHL 0", TsoSplitter.ERROR_IP_HEADER, p -> p[VIRTIO] = 0x40),
            refused("total length short by one", TsoSplitter.ERROR_IP_HEADER,
                p -> putShort(p, VIRTIO + 2, p.length - VIRTIO - 1)),
            refused("total length long by one", TsoSplitter.ERROR_IP_HEADER,
                p -> putShort(p, VIRTIO + 2, p.length - VIRTIO + 1)),
            refused("UDP", TsoSplitter.ERROR_IP_HEADER, p -> p[VIRTIO + 9] = 17),
            refused("more fragments", TsoSplitter.ERROR_IP_HEADER, p -> p[VIRTIO + 6] = 0x20),
            refused("fragment offset", TsoSplitter.ERROR_IP_HEADER, p -> p[VIRTIO + 7] = 1),
            refused("data offset 4", TsoSplitter.ERROR_TCP_HEADER, p -> p[VIRTIO + 20 + 12] = 0x40),
            refused("data offset 0", TsoSplitter.ERROR_TCP_HEADER, p -> p[VIRTIO + 20 + 12] = 0),
            refused("csum_start not the IHL", TsoSplitter.ERROR_CHECKSUM_FIELDS,
                p -> TestPackets.putVirtioField(p, VirtioNetHeader.CSUM_START_OFFSET, 0)),
            refused("csum_offset not the TCP checksum", TsoSplitter.ERROR_CHECKSUM_FIELDS,
                p -> TestPackets.putVirtioField(p, VirtioNetHeader.CSUM_OFFSET_OFFSET, 6)),
            refused("hdr_len past the end", TsoSplitter.ERROR_CHECKSUM_FIELDS,
                p -> TestPackets.putVirtioField(p, VirtioNetHeader.HDR_LEN_OFFSET, p.length - VIRTIO + 1)),
            refused("gso_size 0", TsoSplitter.ERROR_GSO_SIZE,
                p -> TestPackets.putVirtioField(p, VirtioNetHeader.GSO_SIZE_OFFSET, 0)),
            refused("gso_size 46: 66 segments", TsoSplitter.ERROR_TOO_MANY_SEGMENTS,
                p -> TestPackets.putVirtioField(p, VirtioNetHeader.GSO_SIZE_OFFSET, 46)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedSuperPackets")
    void shouldRefuseWithItsReasonWhenTheSuperPacketIsMalformed(final String name, final int expected,
        final Consumer<byte[]> breaker) {
        final byte[] superPacket = TestPackets.tcp().payload(pattern(6, 3000)).buildSuperPacket(1000);
        breaker.accept(superPacket);

        assertThat(split(superPacket)).isEqualTo(expected);
        assertThat(assembler.outputLength()).isZero();
        assertThat(out[OUT_OFFSET]).isEqualTo(UNTOUCHED);
    }

    @Test
    void shouldRefuseWhenIhlOrDataOffsetPointsPastTheEnd() {
        final byte[] ipPastEnd = TestPackets.tcp().payload(new byte[20]).buildSuperPacket(1000);
        ipPastEnd[VIRTIO] = 0x4F; // 60 + 20 > 72
        final byte[] tcpPastEnd = TestPackets.tcp().payload(new byte[20]).buildSuperPacket(1000);
        tcpPastEnd[VIRTIO + 20 + 12] = (byte)0xF0; // 20 + 60 > 72

        assertThat(split(ipPastEnd)).isEqualTo(TsoSplitter.ERROR_IP_HEADER);
        assertThat(split(tcpPastEnd)).isEqualTo(TsoSplitter.ERROR_TCP_HEADER);
    }

    @Test
    void shouldRefuseWhenTheOutputIsOneByteTooSmall() {
        final byte[] superPacket = TestPackets.tcp().payload(pattern(7, 3000)).buildSuperPacket(1000);
        final int needed = 3000 + 3 * 52;

        assertThat(assembler.split(new UnsafeBuffer(superPacket), 0, superPacket.length, new UnsafeBuffer(out), 0,
            needed - 1)).isEqualTo(TsoSplitter.ERROR_OUTPUT_TOO_SMALL);
        assertThat(assembler.split(new UnsafeBuffer(superPacket), 0, superPacket.length, new UnsafeBuffer(out), 0,
            needed)).isEqualTo(3);
    }

    @Test
    void shouldRefuseWhenARangeIsOutsideItsBufferOrTooShort() {
        final byte[] superPacket = TestPackets.tcp().payload(pattern(8, 3000)).buildSuperPacket(1000);
        final UnsafeBuffer in = new UnsafeBuffer(superPacket);
        final UnsafeBuffer output = new UnsafeBuffer(out);

        assertThat(assembler.split(in, 0, superPacket.length + 1, output, 0, out.length))
            .isEqualTo(TsoSplitter.ERROR_BAD_LENGTH);
        assertThat(assembler.split(in, 1, superPacket.length, output, 0, out.length))
            .isEqualTo(TsoSplitter.ERROR_BAD_LENGTH);
        assertThat(assembler.split(in, -1, 100, output, 0, out.length)).isEqualTo(TsoSplitter.ERROR_BAD_LENGTH);
        assertThat(assembler.split(in, 0, -1, output, 0, out.length)).isEqualTo(TsoSplitter.ERROR_BAD_LENGTH);
        assertThat(assembler.split(in, Integer.MAX_VALUE, 100, output, 0, out.length))
            .isEqualTo(TsoSplitter.ERROR_BAD_LENGTH);
        assertThat(assembler.split(in, 0, VIRTIO + 39, output, 0, out.length)).isEqualTo(TsoSplitter.ERROR_BAD_LENGTH);
        assertThat(assembler.split(in, 0, superPacket.length, output, 1, out.length))
            .isEqualTo(TsoSplitter.ERROR_BAD_LENGTH);
        assertThat(assembler.split(in, 0, superPacket.length, output, -1, 10)).isEqualTo(TsoSplitter.ERROR_BAD_LENGTH);
    }

    @Test
    void shouldFinishTheTcpChecksumWhenThePacketIsNotGso() {
        for (final int payloadLength : new int[] {0, 1, 7, 1000, 1001, 1420}) {
            final TestPackets.Builder segment = TestPackets.tcp().flags(ACK | PSH).payload(pattern(9, payloadLength));
            final byte[] valid = segment.build();
            final byte[] packet = segment.buildChecksumPartial();

            assertThat(splitter.completeChecksum(new UnsafeBuffer(packet), 0, packet.length, false))
                .isEqualTo(TsoSplitter.OK);

            assertThat(TestPackets.transportChecksumVerifies(packet, VIRTIO, valid.length)).as("payload %d",
                payloadLength).isTrue();
            assertThat(Arrays.copyOfRange(packet, VIRTIO, packet.length)).isEqualTo(valid);
            assertThat(packet[VirtioNetHeader.FLAGS_OFFSET]).as("NEEDS_CSUM cleared").isZero();
        }
    }

    @Test
    void shouldFinishTheUdpChecksumWhenThePacketIsNotGso() {
        final byte[] packet = udpNeedingChecksum(pattern(10, 333));

        assertThat(splitter.completeChecksum(new UnsafeBuffer(packet), 0, packet.length, false))

            .isEqualTo(TsoSplitter.OK);

        assertThat(TestPackets.transportChecksumVerifies(packet, VIRTIO, packet.length - VIRTIO)).isTrue();
    }

    @Test
    void shouldStoreAllOnesWhenTheUdpChecksumComesOutZero() {
        final byte[] payload = pattern(11, 100);
        payload[0] = 0;
        payload[1] = 0;
        final byte[] probe = udpNeedingChecksum(payload);
        new TsoSplitter().completeChecksum(new UnsafeBuffer(probe), 0, probe.length, false);
        // Those two payload bytes set to the checksum just computed bring the sum to 0xFFFF: a checksum of 0.
        payload[0] = probe[VIRTIO + 26];
        payload[1] = probe[VIRTIO + 27];
        final byte[] packet = udpNeedingChecksum(payload);

        assertThat(splitter.completeChecksum(new UnsafeBuffer(packet), 0, packet.length, false))

            .isEqualTo(TsoSplitter.OK);

        assertThat(getShort(packet, VIRTIO + 26)).isEqualTo(0xFFFF);
        assertThat(TestPackets.transportChecksumVerifies(packet, VIRTIO, packet.length - VIRTIO)).isTrue();
    }

    @Test
    void shouldLeaveEverySegmentsChecksumPartialAndTheRestAsAFullSplitWhenThePeerTakesPartialChecksums() {
        final byte[] superPacket = TestPackets.tcp().flags(ACK | PSH).payload(pattern(6, 5000))
            .buildSuperPacket(1400);
        assertThat(split(superPacket)).isEqualTo(4);
        final byte[] full = Arrays.copyOfRange(out, OUT_OFFSET, OUT_OFFSET + assembler.outputLength());
        final byte[] partial = new byte[full.length];

        final int segments = assembler.split(new UnsafeBuffer(superPacket), 0, superPacket.length,
            new UnsafeBuffer(partial), 0, partial.length, true);

        assertThat(segments).isEqualTo(4);
        int segment = 0;
        for (int i = 0; i < segments; i++) {
            final int length = getShort(partial, segment + 2);
            final int checksumField = segment + 20 + TcpHeader.CHECKSUM_OFFSET;
            assertThat(getShort(partial, checksumField)).as("segment %d holds the pseudo-header sum", i)
                .isEqualTo(TestPackets.pseudoHeaderSum(partial, segment));
            assertThat(TestPackets.transportChecksumVerifies(full, segment, length)).isTrue();
            putShort(partial, checksumField, getShort(full, checksumField));
            segment += length;
        }
        assertThat(segment).isEqualTo(full.length);
        assertThat(partial).as("all but the checksums as in the full split").isEqualTo(full);
    }

    @Test
    void shouldLeaveATcpOrUdpChecksumPartialWhenThePeerTakesPartialChecksums() {
        final byte[] tcp = tcpNeedingChecksum(TcpHeader.CHECKSUM_OFFSET);
        final byte[] udp = udpNeedingChecksum(pattern(10, 333));
        final byte[] tcpBefore = tcp.clone();
        final byte[] udpBefore = udp.clone();

        assertThat(splitter.completeChecksum(new UnsafeBuffer(tcp), 0, tcp.length, true))
            .isEqualTo(TsoSplitter.LEFT_PARTIAL);
        assertThat(splitter.completeChecksum(new UnsafeBuffer(udp), 0, udp.length, true))
            .isEqualTo(TsoSplitter.LEFT_PARTIAL);

        assertThat(tcp).isEqualTo(tcpBefore);
        assertThat(udp).isEqualTo(udpBefore);
    }

    @Test
    void shouldFinishAChecksumOutsideTheTcpOrUdpFieldEvenWhenThePeerTakesPartialChecksums() {
        // csum_offset 6 names UDP's field, not TCP's: the splitter cannot vouch for what the receiver will see.
        final byte[] packet = tcpNeedingChecksum(6);

        assertThat(splitter.completeChecksum(new UnsafeBuffer(packet), 0, packet.length, true))
            .isEqualTo(TsoSplitter.OK);
        assertThat(packet[VirtioNetHeader.FLAGS_OFFSET]).as("NEEDS_CSUM cleared").isZero();
    }

    @Test
    void shouldLeaveThePacketAloneWhenNoChecksumIsNeeded() {
        final byte[] packet = TestPackets.withVirtioHeader(TestPackets.tcp().build(), 0, 0, 0, 0, 0, 0);
        final byte[] before = packet.clone();

        assertThat(splitter.completeChecksum(new UnsafeBuffer(packet), 0, packet.length, false))

            .isEqualTo(TsoSplitter.OK);
        assertThat(packet).isEqualTo(before);
    }

    @Test
    void shouldRefuseToFinishAChecksumWhenFieldsAreOutOfRangeOrThePacketIsGso() {
        final byte[] valid = TestPackets.tcp().payload(new byte[10]).build();
        final byte[] pastEnd = TestPackets.withVirtioHeader(valid, 1, 0, 0, 0, 20, valid.length - 21);
        final byte[] atEnd = TestPackets.withVirtioHeader(valid, 1, 0, 0, 0, 20, valid.length - 22);
        final byte[] gso = TestPackets.tcp().payload(new byte[3000]).buildSuperPacket(1000);
        final byte[] before = pastEnd.clone();

        assertThat(splitter.completeChecksum(new UnsafeBuffer(pastEnd), 0, pastEnd.length, false))
            .isEqualTo(TsoSplitter.ERROR_CHECKSUM_FIELDS);
        assertThat(pastEnd).isEqualTo(before);
        assertThat(splitter.completeChecksum(new UnsafeBuffer(atEnd), 0, atEnd.length, false))
            .isEqualTo(TsoSplitter.OK);
        assertThat(splitter.completeChecksum(new UnsafeBuffer(gso), 0, gso.length, false))
            .isEqualTo(TsoSplitter.ERROR_GSO_TYPE);
        assertThat(splitter.completeChecksum(new UnsafeBuffer(valid), 0, 9, false))
            .isEqualTo(TsoSplitter.ERROR_BAD_LENGTH);
        assertThat(splitter.completeChecksum(new UnsafeBuffer(valid), 5, valid.length, false))
            .isEqualTo(TsoSplitter.ERROR_BAD_LENGTH);
    }

    @Test
    void shouldNeverThrowAndOnlyWriteValidSegmentsWhenInputIsRandomlyDamaged() {
        final Random random = new Random(0x75_0F_F10ADL);
        int split = 0;
        for (int run = 0; run < 20_000; run++) {
            final int gsoSize = 1 + random.nextInt(1500);
            final TestPackets.Builder segment = TestPackets.tcp().payload(pattern(run, random.nextInt(4000)))
                .ipHeaderLength(20 + 4 * random.nextInt(3));
            final byte[] bytes = random.nextInt(10) == 0 ? randomBytes(random) : segment.buildSuperPacket(gsoSize);
            final int damaged = bytes.length == 0 ? 0 : random.nextInt(4);
            for (int i = 0; i < damaged; i++) {
                bytes[random.nextInt(Math.min(bytes.length, 100))] = (byte)random.nextInt(256);
            }
            final int offset = random.nextInt(20) == 0 ? random.nextInt(bytes.length + 2) - 1 : 0;
            final int length = random.nextInt(20) == 0 ? random.nextInt(bytes.length + 2) - 1 : bytes.length - offset;
            final byte[] output = new byte[random.nextInt(20) == 0 ? random.nextInt(200) : 70_000];
            final int outLength = random.nextInt(20) == 0 ? random.nextInt(output.length + 2) - 1 : output.length;

            final int[] segments = new int[1];
            assertThatCode(() -> segments[0] = assembler.split(new UnsafeBuffer(bytes), offset, length,
                new UnsafeBuffer(output), 0, outLength)).as("run %d", run).doesNotThrowAnyException();
            assertThatCode(() -> splitter.completeChecksum(new UnsafeBuffer(bytes.clone()), offset, length, false))
                .as("run %d", run).doesNotThrowAnyException();

            if (segments[0] > 0) {
                split++;
                assertValidSegments(output, segments[0], run);
            }
        }
        assertThat(split).as("enough runs got through to be checked").isGreaterThan(5_000);
    }

    @Test
    void shouldAllocateNothingWhenSplittingRepeatedly() {
        final byte[] superPacket = TestPackets.tcp().payload(pattern(12, 65483)).buildSuperPacket(1420);
        final PacketBuffer in = new PacketBuffer(VIRTIO + 65535);
        final PacketBuffer output = new PacketBuffer(70_000);
        in.buffer.putBytes(0, superPacket);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();

        int segments = 0;
        for (int i = 0; i < 300; i++) {
            segments += assembler.split(in.buffer, 0, superPacket.length, output.buffer, 0, output.capacity);
            segments += splitter.completeChecksum(in.buffer, 0, 100, false);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 300; i++) {
            segments += assembler.split(in.buffer, 0, superPacket.length, output.buffer, 0, output.capacity);
            segments += splitter.completeChecksum(in.buffer, 0, 100, false);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated).as("bytes allocated for 300 splits").isLessThan(10_000);
        assertThat(segments).isEqualTo(600 * (47 + TsoSplitter.ERROR_GSO_TYPE));
    }

    private int split(final byte[] superPacket) {
        Arrays.fill(out, UNTOUCHED);
        return assembler.split(new UnsafeBuffer(superPacket), 0, superPacket.length, new UnsafeBuffer(out), OUT_OFFSET,
            out.length - OUT_OFFSET);
    }

    /** Every segment checked against the super-packet it came from, field by field; payloads reassembled. */
    private void assertSegments(final byte[] superPacket, final int count, final int gsoSize) {
        final int ipHeaderLength = (superPacket[VIRTIO] & 0x0F) * 4;
        final int tcp = VIRTIO + ipHeaderLength;
        final int headers = ipHeaderLength + ((superPacket[tcp + 12] & 0xF0) >>> 4) * 4;
        final int payloadLength = superPacket.length - VIRTIO - headers;
        final int flags = superPacket[tcp + 13] & 0xFF;
        final ByteArrayOutputStream payload = new ByteArrayOutputStream();
        int at = OUT_OFFSET;
        for (int i = 0; i < count; i++) {
            final boolean last = i == count - 1;
            final int segmentPayload = last ? payloadLength - i * gsoSize : gsoSize;
            final int length = getShort(out, at + 2);
            assertThat(length).as("segment %d length", i).isEqualTo(headers + segmentPayload);
            assertThat(TestPackets.checksumVerifies(out, at, ipHeaderLength)).as("segment %d IP checksum", i).isTrue();
            assertThat(getShort(out, at + 4)).as("segment %d id", i)
                .isEqualTo((getShort(superPacket, VIRTIO + 4) + i) & 0xFFFF);
            assertThat(range(out, at, 0, 2)).isEqualTo(range(superPacket, VIRTIO, 0, 2));
            assertThat(range(out, at, 6, 10)).as("flags, TTL, protocol").isEqualTo(range(superPacket, VIRTIO, 6, 10));
            assertThat(range(out, at, 12, ipHeaderLength)).isEqualTo(range(superPacket, VIRTIO, 12, ipHeaderLength));

            final int segmentTcp = at + ipHeaderLength;
            assertThat(getInt(out, segmentTcp + 4)).as("segment %d seq", i)
                .isEqualTo(getInt(superPacket, tcp + 4) + i * gsoSize);
            int expectedFlags = last ? flags : flags & ~(FIN | PSH);
            expectedFlags = i == 0 ? expectedFlags : expectedFlags & ~CWR;
            assertThat(out[segmentTcp + 13] & 0xFF).as("segment %d flags", i).isEqualTo(expectedFlags);
            assertThat(range(out, segmentTcp, 0, 4)).isEqualTo(range(superPacket, tcp, 0, 4));
            assertThat(range(out, segmentTcp, 8, 13)).isEqualTo(range(superPacket, tcp, 8, 13));
            assertThat(range(out, segmentTcp, 14, 16)).isEqualTo(range(superPacket, tcp, 14, 16));
            assertThat(range(out, segmentTcp, 18, headers - ipHeaderLength))
                .isEqualTo(range(superPacket, tcp, 18, headers - ipHeaderLength));
            assertThat(TestPackets.transportChecksumVerifies(out, at, length)).as("segment %d TCP checksum", i)
                .isTrue();

            payload.write(out, at + headers, segmentPayload);
            at += length;
        }
        assertThat(at - OUT_OFFSET).isEqualTo(assembler.outputLength());
        assertThat(payload.toByteArray()).as("payload reassembled")
            .isEqualTo(Arrays.copyOfRange(superPacket, VIRTIO + headers, superPacket.length));
    }

    private void assertValidSegments(final byte[] output, final int count, final int run) {
        int at = 0;
        for (int i = 0; i < count; i++) {
            final int length = getShort(output, at + 2);
            final int ipHeaderLength = (output[at] & 0x0F) * 4;
            assertThat(length).as("run %d segment %d", run, i)
                .isEqualTo(i == count - 1 ? splitter.lastSegmentLength() : splitter.segmentLength());
            assertThat(TestPackets.checksumVerifies(output, at, ipHeaderLength)).as("run %d IP %d", run, i).isTrue();
            assertThat(TestPackets.transportChecksumVerifies(output, at, length)).as("run %d TCP %d", run, i).isTrue();
            at += length;
        }
        assertThat(at).isEqualTo(assembler.outputLength());
    }

    /** A TCP segment with 1000 payload bytes as the TUN hands it over: its checksum partial, csum_start 20. */
    private static byte[] tcpNeedingChecksum(final int csumOffset) {
        final byte[] packet = TestPackets.tcp().flags(ACK | PSH).payload(pattern(9, 1000)).buildChecksumPartial();
        TestPackets.putVirtioField(packet, VirtioNetHeader.CSUM_OFFSET_OFFSET, csumOffset);
        return packet;
    }

    private static byte[] udpNeedingChecksum(final byte[] payload) {
        return TestPackets.udp().sourcePort(53).destinationPort(40_000).payload(payload).buildChecksumPartial();
    }

    private static byte[] randomBytes(final Random random) {
        final byte[] bytes = new byte[random.nextInt(3000)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] range(final byte[] bytes, final int base, final int from, final int to) {
        return Arrays.copyOfRange(bytes, base + from, base + to);
    }

    private static Arguments refused(final String name, final int expected, final Consumer<byte[]> breaker) {
        return Arguments.of(name, expected, breaker);
    }
}
