package io.weft.dataplane.lane;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.registry.Lease;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;

/**
 * Another node of the overlay, on a loopback address: it receives on the backend port and sends from an ephemeral
 * port, as a lane's two sockets do, with the JDK's own sockets rather than the code under test.
 */
final class LoopbackPeer implements AutoCloseable {
    private static final long WAIT_MS = 5_000;

    final int publicIp;
    final Lease lease;
    private final DatagramChannel receiver;
    private final DatagramChannel sender;
    private final Selector selector;
    private final ByteBuffer buffer = ByteBuffer.allocate(65_536);

    /** A node leasing {@code subnet} from {@code publicIp}, listening on {@code port}. */
    LoopbackPeer(final String publicIp, final String subnet, final int port) throws IOException {
        this.publicIp = Ipv4Addresses.parse(publicIp);
        this.lease = new Lease(Ipv4Prefix.parse(subnet), this.publicIp);
        final InetAddress address = InetAddress.getByName(publicIp);
        receiver = DatagramChannel.open().bind(new InetSocketAddress(address, port));
        sender = DatagramChannel.open().bind(new InetSocketAddress(address, 0));
        receiver.configureBlocking(false);
        selector = Selector.open();
        receiver.register(selector, SelectionKey.OP_READ);
    }

    /** Sends {@code datagram} from this node's send port to {@code ipv4Address:port}. */
    void send(final byte[] datagram, final int ipv4Address, final int port) throws IOException {
        sendFrom(sender, datagram, ipv4Address, port);
    }

    /** As {@link #send}, but from the backend port, as flanneld does: one socket for both directions. */
    void sendFromBackendPort(final byte[] datagram, final int ipv4Address, final int port) throws IOException {
        sendFrom(receiver, datagram, ipv4Address, port);
    }

    /** The next datagram that came to this node; fails when none comes within a few seconds. */
    byte[] receive() throws IOException {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        byte[] datagram;
        while ((datagram = poll()) == null) {
            final long left = deadline - System.currentTimeMillis();
            assertThat(left).as("a datagram for %s within %d ms", Ipv4Addresses.format(publicIp), WAIT_MS)
                .isPositive();
            selector.select(left);
            selector.selectedKeys().clear();
        }
        return datagram;
    }

    /** The next datagram that came to this node, or null when none has. */
    byte[] poll() throws IOException {
        buffer.clear();
        if (receiver.receive(buffer) == null) {
            return null;
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    @Override
    public void close() throws IOException {
        selector.close();
        receiver.close();
        sender.close();
    }

    private static void sendFrom(final DatagramChannel channel, final byte[] datagram, final int ipv4Address,
        final int port) throws IOException {
        final InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(Ipv4Addresses.format(ipv4Address)),
            port);
        assertThat(channel.send(ByteBuffer.wrap(datagram), to)).isEqualTo(datagram.length);
    }
}
