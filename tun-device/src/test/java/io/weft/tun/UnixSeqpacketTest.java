package io.weft.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

/** Descriptors passed between sockets of this process: what a hand-over relies on, without root. */
class UnixSeqpacketTest {
    @Test
    void shouldPassADescriptorThatWorksOnTheOtherSide() throws Exception {
        assumeTrue(Native.LIBC != null, "needs jnr-ffi");
        final UnixSeqpacket[] pair = UnixSeqpacket.pair();
        try (UnixSeqpacket sender = pair[0]; UnixSeqpacket receiver = pair[1]; EventFd event = new EventFd()) {
            sender.send("eventfd".getBytes(StandardCharsets.UTF_8), new int[] {event.fd()});

            final UnixSeqpacket.Message message = receiver.receive();
            assertThat(message.text()).isEqualTo("eventfd");
            assertThat(message.fds()).hasSize(1);
            final int received = message.fds()[0];
            assertThat(received).as("a new descriptor number").isNotEqualTo(event.fd());
            try {
                // The same file description: a signal written through the copy is read through the original.
                final NativeBuffer one = new NativeBuffer(8);
                one.buffer.putLong(0, 1L);
                assertThat(Native.LIBC.write(received, one.address, 8)).isEqualTo(8);
                one.keepAlive();
                assertThat(event.drain()).isTrue();
            } finally {
                UnixSeqpacket.closeAll(message.fds());
            }
        }
    }

    @Test
    void shouldPassManyDescriptorsInOrderAndAMessageWithoutAny() throws Exception {
        assumeTrue(Native.LIBC != null, "needs jnr-ffi");
        final UnixSeqpacket[] pair = UnixSeqpacket.pair();
        final EventFd[] events = new EventFd[3 * 64];
        try (UnixSeqpacket sender = pair[0]; UnixSeqpacket receiver = pair[1]) {
            final int[] fds = new int[events.length];
            for (int i = 0; i < events.length; i++) {
                events[i] = new EventFd();
                fds[i] = events[i].fd();
            }
            sender.send("all".getBytes(StandardCharsets.UTF_8), fds);
            sender.send("none".getBytes(StandardCharsets.UTF_8), new int[0]);

            final UnixSeqpacket.Message all = receiver.receive();
            try {
                assertThat(all.fds()).hasSize(events.length);
                final NativeBuffer one = new NativeBuffer(8);
                one.buffer.putLong(0, 1L);
                Native.LIBC.write(all.fds()[100], one.address, 8);
                one.keepAlive();
                assertThat(events[100].drain()).as("the 101st descriptor is the 101st sent").isTrue();
                assertThat(events[99].drain()).isFalse();
            } finally {
                UnixSeqpacket.closeAll(all.fds());
            }
            final UnixSeqpacket.Message none = receiver.receive();
            assertThat(none.text()).isEqualTo("none");
            assertThat(none.fds()).isEmpty();
        } finally {
            for (final EventFd event : events) {
                if (event != null) {
                    event.close();
                }
            }
        }
    }

    @Test
    void shouldConnectByAbstractNameAndKnowThePeersUid() throws Exception {
        assumeTrue(Native.LIBC != null, "needs jnr-ffi");
        final String name = "weft-test/" + ThreadLocalRandom.current().nextInt(1 << 30);
        assertThat(UnixSeqpacket.connect(name, 1000)).as("nobody listens yet").isNull();
        try (UnixSeqpacket listener = UnixSeqpacket.listen(name)) {
            final UnixSeqpacket client = UnixSeqpacket.connect(name, 1000);
            try (UnixSeqpacket server = listener.accept(1000)) {
                assertThat(server.peerUid()).isEqualTo(UnixSeqpacket.effectiveUid());
                assertThatThrownBy(() -> UnixSeqpacket.listen(name)).hasMessageContaining("EADDRINUSE");
                client.send("hello".getBytes(StandardCharsets.UTF_8), new int[0]);
                assertThat(server.receive().text()).isEqualTo("hello");
                assertThatThrownBy(server::receive).as("the receive timeout").hasMessageContaining("EAGAIN");
                client.close();
                assertThatThrownBy(server::receive).hasMessageContaining("the peer closed");
            }
        }
    }
}
