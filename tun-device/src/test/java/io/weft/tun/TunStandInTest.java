package io.weft.tun;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The stand-ins other modules test their lanes over behave as a TUN queue and a bound UDP socket do, without root. */
class TunStandInTest {
    private static final int LOOPBACK = 0x7F000001;

    @Test
    void shouldPassWholePacketsBothWaysAndReadZeroWhenNoneIsQueuedAsATunQueueDoes() throws Exception {
        try (TunStandIn standIn = TunStandIn.open("flannel0")) {
            final TunDevice tun = standIn.device();
            final ByteBuffer memory = ByteBuffer.allocateDirect(2048);
            final long address = jnr.ffi.Pointer.wrap(Native.RUNTIME, memory).address();
            assertThat(tun.read(address, 2048)).as("nothing queued").isZero();

            standIn.put(new byte[] {1, 2, 3});
            standIn.put(new byte[] {4, 5});
            assertThat(tun.read(address, 2048)).isEqualTo(3);
            assertThat(memory.get(2)).isEqualTo((byte)3);
            assertThat(tun.read(address, 2048)).as("one packet per read").isEqualTo(2);

            memory.put(0, (byte)9).put(1, (byte)8);
            assertThat(tun.write(address, 2)).isEqualTo(2);
            assertThat(standIn.take()).containsExactly(9, 8);
            assertThat(standIn.take()).isNull();
            assertThat(tun.name()).isEqualTo("flannel0");
        }
    }

    @Test
    void shouldSayWhichPortTheKernelGaveALoopbackSocketBoundToPortZero() throws Exception {
        try (UdpSocket socket = LoopbackUdp.bind(LOOPBACK, 0);
            UdpSocket sameAddress = LoopbackUdp.bind(0x7F000002, LoopbackUdp.port(socket))) {
            assertThat(LoopbackUdp.port(socket)).isBetween(1024, 65535);
            assertThat(LoopbackUdp.port(sameAddress)).as("the same port on another loopback address")
                .isEqualTo(LoopbackUdp.port(socket));
        }
    }
}
