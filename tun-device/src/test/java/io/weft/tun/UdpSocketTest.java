package io.weft.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

class UdpSocketTest {
    private static final int LOOPBACK = 0x7F000001;

    @Test
    void shouldSendAndReceiveWithSenderAddressOverLoopback() throws Exception {
        assumeTrue(TestNamespace.isRoot(), "needs root: binds fixed ports inside its own network namespace");
        try (TestNamespace ns = TestNamespace.create("udp")) {
            ns.run(() -> {
                try (UdpSocket receiver = UdpSocket.bind(LOOPBACK, 8285, true, 1 << 20, 1 << 20);
                    UdpSocket sender = UdpSocket.bind(LOOPBACK, 40000, false, 0, 0);
                    Epoll epoll = new Epoll()) {
                    final ByteBuffer buffer = ByteBuffer.allocateDirect(256);
                    final long address = jnr.ffi.Pointer.wrap(Native.RUNTIME, buffer).address();
                    assertThat(receiver.receive(address, 256)).isEqualTo(-Errno.EAGAIN);

                    buffer.put(0, (byte)42);
                    assertThat(sender.sendTo(address, 1, LOOPBACK, 8285)).isEqualTo(1);
                    assertThat(sender.sendTo(address, 0, LOOPBACK, 8285)).isZero();
                    epoll.add(receiver.fd(), Epoll.EPOLLIN);
                    assertThat(epoll.await(2000)).isEqualTo(1);

                    buffer.put(0, (byte)0);
                    assertThat(receiver.receive(address, 256)).isEqualTo(1);
                    assertThat(buffer.get(0)).isEqualTo((byte)42);
                    assertThat(receiver.senderAddress()).isEqualTo(LOOPBACK);
                    assertThat(receiver.senderPort()).isEqualTo(40000);
                    assertThat(receiver.receive(address, 256)).as("an empty datagram is length 0").isZero();
                }
            });
        }
    }

    @Test
    void shouldSayPortInUseWhenBoundTwice() throws Exception {
        assumeTrue(TestNamespace.isRoot(), "needs root: binds fixed ports inside its own network namespace");
        try (TestNamespace ns = TestNamespace.create("port")) {
            ns.run(() -> {
                try (UdpSocket first = UdpSocket.bind(0, 8285, false, 0, 0)) {
                    assertThat(first.fd()).isPositive();
                    assertThatThrownBy(() -> UdpSocket.bind(0, 8285, false, 0, 0))
                        .isInstanceOf(NativeException.class)
                        .hasMessage("cannot bind UDP 0.0.0.0:8285: EADDRINUSE (Address already in use)"
                            + " - port in use: is flanneld or another weftd running on this node?");
                }
            });
        }
    }
}
