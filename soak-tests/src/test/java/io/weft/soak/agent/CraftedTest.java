package io.weft.soak.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CraftedTest {
    private static final int SOURCE = 0x0af40102;
    private static final int DESTINATION = 0x0af40202;

    @Test
    void shouldMakeEachMalformedKindFailOnlyItsOwnCheck() {
        Random random = new Random(1);
        assertThat(Crafted.EMPTY.datagram(SOURCE, DESTINATION, random)).isEmpty();
        assertThat(Crafted.TRUNCATED.datagram(SOURCE, DESTINATION, random).length).isBetween(1, 19);
        assertThat(Crafted.NOT_IPV4.datagram(SOURCE, DESTINATION, random)[0] >> 4).isEqualTo(6);
        assertThat(Crafted.BAD_HEADER_LENGTH.datagram(SOURCE, DESTINATION, random)[0] & 0xf).isEqualTo(1);
        byte[] badTotal = Crafted.BAD_TOTAL_LENGTH.datagram(SOURCE, DESTINATION, random);
        assertThat(ByteBuffer.wrap(badTotal).getShort(2)).isNotEqualTo((short) badTotal.length);
        assertThat(checksumOk(badTotal)).isTrue();
        assertThat(checksumOk(Crafted.BAD_CHECKSUM.datagram(SOURCE, DESTINATION, random))).isFalse();
    }

    @Test
    void shouldMakeWellFormedPacketsForTheKindsRefusedBySenderOrDestination() {
        Random random = new Random(1);
        for (Crafted kind : new Crafted[] {Crafted.UNKNOWN_SENDER, Crafted.OVERSIZE, Crafted.SPOOFED,
            Crafted.NOT_FOR_THIS_NODE, Crafted.TTL_ONE}) {
            byte[] packet = kind.datagram(SOURCE, DESTINATION, random);
            ByteBuffer header = ByteBuffer.wrap(packet);
            assertThat(header.getShort(2) & 0xffff).as("%s total length", kind).isEqualTo(packet.length);
            assertThat(checksumOk(packet)).as("%s checksum", kind).isTrue();
            assertThat(header.getInt(12)).isEqualTo(SOURCE);
            assertThat(header.getInt(16)).isEqualTo(DESTINATION);
        }
        assertThat(Crafted.OVERSIZE.datagram(SOURCE, DESTINATION, random)).hasSize(Crafted.LARGEST_UDP_PAYLOAD);
        assertThat(Crafted.TTL_ONE.datagram(SOURCE, DESTINATION, random)[8]).isEqualTo((byte) 1);
    }

    private static boolean checksumOk(byte[] packet) {
        ByteBuffer header = ByteBuffer.wrap(packet);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += header.getShort(i) & 0xffff;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum == 0xffff;
    }
}
