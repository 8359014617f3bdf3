package io.weft.dataplane.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteOrder;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class VirtioNetHeaderTest {
    private final VirtioNetHeader header = new VirtioNetHeader();

    @Test
    void shouldReadBackEveryFieldWhenWrittenAtAnOffset() {
        final byte[] bytes = new byte[16];
        header.wrap(new UnsafeBuffer(bytes), 3).flags(VirtioNetHeader.F_NEEDS_CSUM)
            .gsoType(VirtioNetHeader.GSO_TCPV4 | VirtioNetHeader.GSO_ECN).hdrLen(52).gsoSize(0xFFFF).csumStart(20)
            .csumOffset(16);

        assertThat(header.flags()).isEqualTo(VirtioNetHeader.F_NEEDS_CSUM);
        assertThat(header.gsoType()).isEqualTo(0x81);
        assertThat(header.hdrLen()).isEqualTo(52);
        assertThat(header.gsoSize()).isEqualTo(0xFFFF);
        assertThat(header.csumStart()).isEqualTo(20);
        assertThat(header.csumOffset()).isEqualTo(16);
        assertThat(Arrays.copyOfRange(bytes, 0, 3)).isEqualTo(new byte[3]);
        assertThat(Arrays.copyOfRange(bytes, 13, 16)).isEqualTo(new byte[3]);
    }

    @Test
    void shouldLayFieldsOutLittleEndianWhenTheHostIsLittleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the TUN uses the host's order");
        final byte[] bytes = new byte[10];
        header.wrap(new UnsafeBuffer(bytes), 0).flags(1).gsoType(1).hdrLen(0x0134).gsoSize(0x058C).csumStart(20)
            .csumOffset(16);

        assertThat(bytes).isEqualTo(ChecksumTest.bytes(1, 1, 0x34, 0x01, 0x8C, 0x05, 20, 0, 16, 0));
    }

    @Test
    void shouldZeroTenBytesAndNoMoreWhenCleared() {
        final byte[] bytes = new byte[14];
        Arrays.fill(bytes, (byte)0x77);

        header.wrap(new UnsafeBuffer(bytes), 2).clear();

        assertThat(bytes).isEqualTo(ChecksumTest.bytes(0x77, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x77, 0x77));
        assertThat(header.gsoType()).isEqualTo(VirtioNetHeader.GSO_NONE);
    }
}
