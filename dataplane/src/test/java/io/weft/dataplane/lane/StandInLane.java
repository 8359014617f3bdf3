package io.weft.dataplane.lane;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.dataplane.packet.VirtioNetHeader;
import io.weft.registry.Lease;
import io.weft.registry.RegistryStats;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import io.weft.tun.Epoll;
import io.weft.tun.EventFd;
import io.weft.tun.LoopbackUdp;
import io.weft.tun.NativeException;
import io.weft.tun.TunStandIn;
import io.weft.tun.UdpSocket;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.agrona.concurrent.CachedNanoClock;

/**
 * One node's lane over stand-ins that need no root: a {@link TunStandIn} for its flannel0 queue and loopback UDP for
 * the underlay. Its receive socket's port, which the kernel picks, is the backend port of the whole test overlay, as
 * in a cluster where every node listens on the same port: the {@link PeerTable} sends there, and the
 * {@link LoopbackPeer}s, the other nodes, listen there on their own loopback addresses. Leases reach the lane as in
 * weftd, through a {@link RouteUpdater}. The agents are made on demand and driven by hand.
 */
final class StandInLane implements AutoCloseable {
    static final int BATCH = 16;
    /** The overlay network's first address, which ICMP errors come from. */
    static final int ICMP_SOURCE = Ipv4Addresses.parse("10.244.0.0");
    private static final long WAIT_MS = 5_000;

    final TunStandIn tun;
    final UdpSocket receiveSocket;
    final UdpSocket sendSocket;
    /** The backend port: every node of the test overlay receives on it. */
    final int port;
    final int publicIp;
    final Lease ownLease;
    final PeerTable peers;
    final RouteUpdater routeUpdater;
    final DataplaneCounters counters = new DataplaneCounters();
    final LaneContext context;
    final LaneIo io;
    final CachedNanoClock clock = new CachedNanoClock();
    /** How often the registry said our lease came back with another subnet. */
    int subnetsLost;
    private final Offloads offloads;
    private final Epoll receiveReadiness = new Epoll();
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    private StandInLane(final Offloads offloads, final String publicIp, final String subnet, final int port,
        final NodeAuth auth) throws NativeException {
        this.offloads = offloads;
        this.publicIp = Ipv4Addresses.parse(publicIp);
        this.ownLease = new Lease(Ipv4Prefix.parse(subnet), this.publicIp, auth.backendData(false));
        opened.push(receiveReadiness);
        try {
            tun = track(TunStandIn.open("flannel0"));
            receiveSocket = track(LoopbackUdp.bind(this.publicIp, port));
            sendSocket = track(LoopbackUdp.bind(this.publicIp, 0));
            receiveReadiness.add(receiveSocket.fd(), Epoll.EPOLLIN);
            this.port = LoopbackUdp.port(receiveSocket);
            if (offloads.udpGro) {
                assertThat(receiveSocket.enableGro()).as("UDP_GRO on loopback").isTrue();
            }
            if (offloads.udpGso) {
                assertThat(sendSocket.supportsGso()).as("UDP_SEGMENT on loopback").isTrue();
            }
        } catch (final Throwable e) {
            closeQuietly();
            throw e;
        }
        peers = new PeerTable(this.port, auth);
        routeUpdater = new RouteUpdater(peers, ownLease, new RegistryStats(), () -> subnetsLost++);
        context = new LaneContext(peers, new NodeAddresses(this.publicIp, ownLease.subnet(), ICMP_SOURCE),
            offloads.status(), BATCH, EpollIdleStrategy.Mode.BLOCK, 0, auth);
        io = new LaneIo(tun.device(), receiveSocket, sendSocket);
    }

    /** Node 127.0.0.1, leasing 10.244.1.0/24, on a backend port the kernel picks. */
    static StandInLane open(final Offloads offloads) throws NativeException {
        return open(offloads, NodeAuth.OFF);
    }

    /** As {@link #open(Offloads)}, authenticating as {@code auth} says (its lease advertises the key). */
    static StandInLane open(final Offloads offloads, final NodeAuth auth) throws NativeException {
        return new StandInLane(offloads, "127.0.0.1", "10.244.1.0/24", 0, auth);
    }

    /** Another node of the same test overlay: at {@code publicIp}, leasing {@code subnet}, on {@code other}'s port. */
    static StandInLane open(final Offloads offloads, final String publicIp, final String subnet,
        final StandInLane other) throws NativeException {
        return open(offloads, publicIp, subnet, other, NodeAuth.OFF);
    }

    static StandInLane open(final Offloads offloads, final String publicIp, final String subnet,
        final StandInLane other, final NodeAuth auth) throws NativeException {
        return new StandInLane(offloads, publicIp, subnet, other.port, auth);
    }

    /** Another node of the overlay on loopback address {@code publicIp}, leasing {@code subnet}; closed with this. */
    LoopbackPeer peer(final String publicIp, final String subnet) throws IOException {
        return track(new LoopbackPeer(publicIp, subnet, port));
    }

    /** The registry's lease set as weftd's watch hands it over: ours and {@code others}. */
    void leases(final Lease... others) {
        final List<Lease> all = new ArrayList<>(List.of(others));
        all.add(ownLease);
        routeUpdater.onLeases(all, System.nanoTime());
    }

    TunReader tunReader() {
        return new TunReader(io, context, counters, clock, "tun-reader-test");
    }

    UdpReceiver udpReceiver() {
        return new UdpReceiver(io, context, counters, "udp-receiver-test");
    }

    Lane lane(final EventFd shutdown) throws NativeException {
        return track(new Lane(0, io, context, counters, shutdown));
    }

    /** {@code packet} as the TUN hands it over: behind a virtio_net_hdr without offload work when it has them. */
    byte[] asRead(final byte[] packet) {
        if (!offloads.tunTso) {
            return packet;
        }
        final byte[] read = new byte[VirtioNetHeader.LENGTH + packet.length];
        System.arraycopy(packet, 0, read, VirtioNetHeader.LENGTH, packet.length);
        return read;
    }

    /** A packet written to the TUN, its virtio_net_hdr checked and taken off when there is one; null if none. */
    byte[] takeWritten() {
        final byte[] written = tun.take();
        if (written == null || !offloads.tunTso) {
            return written;
        }
        assertThat(Arrays.copyOf(written, VirtioNetHeader.LENGTH)).as("virtio_net_hdr: no offload asked")
            .containsOnly(0);
        return Arrays.copyOfRange(written, VirtioNetHeader.LENGTH, written.length);
    }

    /** Waits until a datagram is queued on the receive socket: loopback delivery is quick, but not a promise. */
    void awaitDatagram() {
        assertThat(receiveReadiness.await((int)WAIT_MS)).as("a datagram for the lane within %d ms", WAIT_MS)
            .isPositive();
    }

    long count(final DataplaneCounter counter) {
        return counters.get(counter);
    }

    /** Closes everything it opened, last first; goes on past a failure and throws the first. */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (final Exception e) {
                if (failure == null) {
                    failure = new IOException("while closing a stand-in lane", e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (final IOException e) {
            // Already failing: the first error is the one to see.
        }
    }

    private <T extends AutoCloseable> T track(final T resource) {
        opened.push(resource);
        return resource;
    }
}
