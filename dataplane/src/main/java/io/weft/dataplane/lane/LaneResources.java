package io.weft.dataplane.lane;

import io.weft.log.Log;
import io.weft.tun.NativeException;
import io.weft.tun.TunDevice;
import io.weft.tun.UdpSocket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The kernel side of N lanes: N queues of one multi-queue TUN device, N receive sockets in a SO_REUSEPORT group on
 * the backend port, and N send sockets on ephemeral ports. A flow always leaves through the lane whose TUN queue
 * the kernel hashed it to, so its outer source port (that lane's send port) is a function of the inner flow, and the
 * receiving node's SO_REUSEPORT hash spreads flows over its lanes. The destination port stays the backend port, so
 * flannel peers interoperate. Offloads are probed here and fall back one by one.
 */
public final class LaneResources implements AutoCloseable {
    /** IPv4 only: the overlay carries IPv4, and TCPV6 super-packets would only be refused. */
    static final int TUN_OFFLOADS = TunDevice.TUN_F_CSUM | TunDevice.TUN_F_TSO4;

    public final List<TunDevice> queues = new ArrayList<>();
    public final List<UdpSocket> receiveSockets = new ArrayList<>();
    public final List<UdpSocket> sendSockets = new ArrayList<>();
    public final OffloadStatus offloads;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    private LaneResources(final OffloadStatus offloads) {
        this.offloads = offloads;
    }

    /**
     * Binds the sockets first (a port in use is the likeliest clash and nothing has changed yet), then opens the
     * queues. With {@code offloadWanted}, TUN TSO/checksum offload, UDP GSO and UDP GRO are each tried and recorded.
     */
    public static LaneResources open(final String tunName, final int lanes, final boolean offloadWanted,
        final int publicIp, final int port, final int socketBufferLength) throws NativeException {
        final OffloadStatus offloads = new OffloadStatus(offloadWanted);
        final LaneResources resources = new LaneResources(offloads);
        try {
            // Same-user sockets may all join a SO_REUSEPORT group, so a second weftd would share the port silently;
            // an exclusive bind first turns that into the "port in use" error an operator needs.
            UdpSocket.bind(publicIp, port, false, 0, 0).close();
            for (int i = 0; i < lanes; i++) {
                final UdpSocket receive = resources.track(
                    UdpSocket.bind(publicIp, port, true, socketBufferLength, socketBufferLength));
                resources.receiveSockets.add(receive);
                final UdpSocket send = resources.track(
                    UdpSocket.bind(publicIp, 0, false, socketBufferLength, socketBufferLength));
                resources.sendSockets.add(send);
                if (offloadWanted) {
                    offloads.udpGro &= receive.enableGro();
                    offloads.udpGso &= send.supportsGso();
                }
            }
            if (offloadWanted) {
                try {
                    resources.openQueues(tunName, lanes, true, true);
                    offloads.tunTso = true;
                } catch (final NativeException e) {
                    Log.warn("TUN offloads unavailable, falling back to plain reads: " + e.getMessage());
                }
            }
            if (!offloads.tunTso) {
                resources.openQueues(tunName, lanes, false, true);
            }
            return resources;
        } catch (final NativeException | RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    /**
     * The resources a running weftd handed over ({@link #handOverFds()}'s layout: N queues, N receive sockets, N send
     * sockets), with the offloads it had found: nothing is bound or opened, so the lanes of both processes read the
     * same queues and sockets until the old one stops, and no packet waiting in them is lost.
     */
    public static LaneResources adopt(final String tunName, final int[] fds, final OffloadStatus offloads) {
        if (fds.length == 0 || fds.length % 3 != 0) {
            throw new IllegalArgumentException(fds.length + " descriptors handed over: not 3 per lane");
        }
        final int lanes = fds.length / 3;
        final LaneResources resources = new LaneResources(offloads);
        for (int i = 0; i < lanes; i++) {
            resources.queues.add(TunDevice.ofOpenQueue(tunName, fds[i]));
            final UdpSocket receive = resources.track(UdpSocket.ofOpenSocket(fds[lanes + i]));
            resources.receiveSockets.add(receive);
            if (offloads.udpGro) {
                // The option is the socket's and stays on; this object must know it to read the segment sizes.
                receive.enableGro();
            }
            resources.sendSockets.add(resources.track(UdpSocket.ofOpenSocket(fds[2 * lanes + i])));
        }
        return resources;
    }

    /** Every descriptor, for a successor: N queues, then N receive sockets, then N send sockets. */
    public int[] handOverFds() {
        final int lanes = queues.size();
        final int[] fds = new int[3 * lanes];
        for (int i = 0; i < lanes; i++) {
            fds[i] = queues.get(i).fd();
            fds[lanes + i] = receiveSockets.get(i).fd();
            fds[2 * lanes + i] = sendSockets.get(i).fd();
        }
        return fds;
    }

    public int lanes() {
        return queues.size();
    }

    /** The queue and sockets of lane {@code lane}. */
    public LaneIo io(final int lane) {
        return new LaneIo(queues.get(lane), receiveSockets.get(lane), sendSockets.get(lane));
    }

    /**
     * Makes the TUN device again after it was deleted under the lanes (their queues detached and fail with EBADFD):
     * closes the old queues and opens as many new ones, with the offloads found at start, which the lease announced
     * to the peers. The lanes must have stopped.
     */
    public void reopenQueues(final String tunName) throws NativeException {
        final int lanes = receiveSockets.size();
        closeQueues();
        openQueues(tunName, lanes, offloads.tunTso, false);
    }

    /**
     * Opens every queue with or without virtio headers and offloads; on failure none stays open. The device is made
     * persistent, so it outlives this process; one left by an earlier weftd is attached to. With
     * {@code replaceForeign}, a device of that name that is not a multi-queue TUN is deleted and made anew.
     */
    private void openQueues(final String tunName, final int lanes, final boolean withOffload,
        final boolean replaceForeign) throws NativeException {
        final int flags = TunDevice.IFF_MULTI_QUEUE | (withOffload ? TunDevice.IFF_VNET_HDR : 0);
        try {
            for (int i = 0; i < lanes; i++) {
                final TunDevice queue = i == 0 ? PersistentTun.attachOrMake(tunName, flags, replaceForeign)
                    : TunDevice.open(tunName, flags);
                queues.add(queue);
                if (withOffload) {
                    queue.setVnetHeaderLength(TunDevice.VIRTIO_NET_HDR_LENGTH);
                    if (i == 0) {
                        offloads.tunUso = acceptsUdpSegmentation(queue);
                    }
                    queue.setOffload(TUN_OFFLOADS);
                } else if (i == 0) {
                    // A device kept from a weftd with offloads keeps them (they are the device's): no super-packets.
                    queue.setOffload(0);
                }
            }
        } catch (final NativeException e) {
            closeQueues();
            throw e;
        }
    }

    private void closeQueues() {
        queues.forEach(TunDevice::close);
        queues.clear();
    }

    /**
     * Whether this kernel takes GSO_UDP_L4 super-packets written to a TUN: it does from Linux 6.2, where TUNSETOFFLOAD
     * learnt USO4|USO6. The offload itself is not left on: it would also hand UDP super-packets to our reads.
     */
    private static boolean acceptsUdpSegmentation(final TunDevice queue) {
        try {
            queue.setOffload(TUN_OFFLOADS | TunDevice.TUN_F_USO4 | TunDevice.TUN_F_USO6);
            return true;
        } catch (final NativeException e) {
            Log.warn("TUN takes no UDP super-packets (USO, Linux 6.2), UDP runs go one write per datagram: " +
                e.getMessage());
            return false;
        }
    }

    private <T extends AutoCloseable> T track(final T resource) {
        opened.push(resource);
        return resource;
    }

    @Override
    public void close() {
        closeQueues();
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (final Exception e) {
                Log.warn("while closing lanes: " + e.getMessage());
            }
        }
    }

    /** Which offloads are on; each starts as wanted and is cleared by the probe that fails. */
    public static final class OffloadStatus {
        final boolean wanted;
        boolean tunTso;
        /** The TUN takes UDP super-packets (GSO_UDP_L4) on writes. */
        boolean tunUso;
        /** Cleared by the daemon when a lane had its GSO sends refused: /metrics then says so, new lanes go without. */
        volatile boolean udpGso;
        boolean udpGro;

        OffloadStatus(final boolean wanted) {
            this.wanted = wanted;
            this.udpGso = wanted;
            this.udpGro = wanted;
        }

        /** The offloads a predecessor found on the queues and sockets it hands over. */
        public static OffloadStatus handed(final boolean wanted, final boolean tunTso, final boolean tunUso,
            final boolean udpGso, final boolean udpGro) {
            final OffloadStatus status = new OffloadStatus(wanted);
            status.tunTso = tunTso;
            status.tunUso = tunUso;
            status.udpGso = udpGso;
            status.udpGro = udpGro;
            return status;
        }

        public boolean wanted() {
            return wanted;
        }

        public boolean tunUso() {
            return tunUso;
        }

        public boolean udpGro() {
            return udpGro;
        }

        /** The TUN device was opened with IFF_VNET_HDR and TSO: reads may return super-packets. */
        public boolean tunTso() {
            return tunTso;
        }

        public boolean udpGso() {
            return udpGso;
        }

        /** A lane had its GSO sends refused: /metrics says so from now on, and lanes made anew go without. */
        public void stopUdpGso() {
            udpGso = false;
        }

        /** How many wanted offloads were refused by this kernel. */
        int fallbacks() {
            if (!wanted) {
                return 0;
            }
            return (tunTso ? 0 : 1) + (tunTso && !tunUso ? 1 : 0) + (udpGso ? 0 : 1) + (udpGro ? 0 : 1);
        }

        public String toPrometheusText() {
            return "# TYPE weft_offload_enabled gauge\n" +
                "weft_offload_enabled{offload=\"tun_tso\"} " + (tunTso ? 1 : 0) + "\n" +
                "weft_offload_enabled{offload=\"tun_uso\"} " + (tunTso && tunUso ? 1 : 0) + "\n" +
                "weft_offload_enabled{offload=\"udp_gso\"} " + (udpGso ? 1 : 0) + "\n" +
                "weft_offload_enabled{offload=\"udp_gro\"} " + (udpGro ? 1 : 0) + "\n" +
                "# TYPE weft_offload_fallbacks_total counter\nweft_offload_fallbacks_total " + fallbacks() + "\n";
        }

        @Override
        public String toString() {
            return wanted ? "TUN TSO " + onOff(tunTso) + ", TUN USO " + onOff(tunTso && tunUso) +
                ", UDP GSO " + onOff(udpGso) + ", UDP GRO " + onOff(udpGro)
                : "off (--offload=off)";
        }

        private static String onOff(final boolean on) {
            return on ? "on" : "off";
        }
    }
}
