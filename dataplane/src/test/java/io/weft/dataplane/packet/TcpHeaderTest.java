package io.weft.dataplane.packet;

import static io.weft.dataplane.packet.TestPackets.getInt;
import static io.weft.dataplane.packet.TestPackets.getShort;
import static org.assertj.core.api.Assertions.assertThat;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class TcpHeaderTest {
    private final TcpHeader header = new TcpHeader();

    @Test
    void shouldReadEveryFieldWhenTheSegmentIsHandMade() {
        final byte[] packet = TestPackets.tcp().sourcePort(0xFFFE).sequence(0x8000_0001).acknowledgment(0xFEDC_BA98)
            .window(0xF00D).flags(TcpHeader.ACK | TcpHeader.PSH | TcpHeader.CWR).build();

        header.wrap(new UnsafeBuffer(packet), 20);

        assertThat(header.sourcePort()).isEqualTo(0xFFFE);
        assertThat(header.destinationPort()).isEqualTo(5201);
        assertThat(header.sequenceNumber()).isEqualTo(0x8000_0001);
        assertThat(header.acknowledgmentNumber()).isEqualTo(0xFEDC_BA98);
        assertThat(header.headerLength()).isEqualTo(32);
        assertThat(header.flags()).isEqualTo(TcpHeader.ACK | TcpHeader.PSH | TcpHeader.CWR);
        assertThat(header.window()).isEqualTo(0xF00D);
        assertThat(header.checksum()).isEqualTo(getShort(packet, 36));
    }

    @Test
    void shouldWriteInNetworkOrderWhenFieldsAreSet() {
        final byte[] packet = TestPackets.tcp().build();

        header.wrap(new UnsafeBuffer(packet), 20).sequenceNumber(0x0102_0304).flags(TcpHeader.FIN).checksum(0xBEEF);

        assertThat(getInt(packet, 24)).isEqualTo(0x0102_0304);
        assertThat(packet[33]).isEqualTo((byte)TcpHeader.FIN);
        assertThat(getShort(packet, 36)).isEqualTo(0xBEEF);
        assertThat(header.headerLength()).as("data offset untouched").isEqualTo(32);
    }
}
