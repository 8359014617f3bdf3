package io.weft.dataplane.node;

import io.weft.log.OncePerKeyLog;
import io.weft.routing.Ipv4Prefix;
import io.weft.tun.Errno;
import io.weft.tun.NativeException;
import io.weft.tun.Netlink;
import io.weft.tun.UdpSocket;
import java.io.IOException;

/**
 * flannel0 as the kernel's routing sees it: its address, MTU, queue length and segment limit, and the route that
 * sends the overlay network into it. Configured at start and again whenever the device is made anew; the route is
 * put back when it has gone, moved when the network config's Network changes, and removed on {@link #close()}.
 * Called from the main loop and the lease watcher's thread, hence synchronized.
 */
final class OverlayLink implements AutoCloseable {
    private static final int TUN_TRANSMIT_QUEUE_LENGTH = 10_000;

    private final String tunName;
    private final Ipv4Prefix subnet;
    private Ipv4Prefix network;
    private final int mtu;
    private final boolean superPackets;
    private final OncePerKeyLog routeCheckLog = new OncePerKeyLog();

    /**
     * @param superPackets the TUN hands over TCP super-packets, which the lanes cut into at most
     *     {@link UdpSocket#UDP_MAX_SEGMENTS} segments.
     */
    OverlayLink(final String tunName, final Ipv4Prefix subnet, final Ipv4Prefix network, final int mtu,
        final boolean superPackets) {
        this.tunName = tunName;
        this.subnet = subnet;
        this.network = network;
        this.mtu = mtu;
        this.superPackets = superPackets;
    }

    /** Configures the device, which has just been made, and routes the overlay network into it. */
    synchronized void configure() throws IOException {
        try (Netlink netlink = new Netlink()) {
            final int link = Netlink.linkIndex(tunName);
            // flannel's layout: the subnet's network address as a /32 (no broadcast routes), the Network routed in.
            netlink.addAddress(link, subnet.address(), 32);
            netlink.setMtu(link, mtu);
            // A TUN's default 500-packet queue overflows in the bursts a sleeping reader meets; TCP then retransmits.
            netlink.setTransmitQueueLength(link, TUN_TRANSMIT_QUEUE_LENGTH);
            if (superPackets) {
                // The userspace splitter takes as many segments per super-packet as one UDP GSO send carries.
                netlink.setGsoMaxSegments(link, UdpSocket.UDP_MAX_SEGMENTS);
            }
            Ipv6Off.disable(tunName);
            netlink.setUp(link);
            netlink.addRoute(network.address(), network.length(), link);
        }
    }

    /**
     * Adds the overlay route again when it has gone while the device is up, and says so. Setting a link down flushes
     * the routes through it and setting it up again does not bring them back, so one `ip link set flannel0 down; ...
     * up` would otherwise send other nodes' pod traffic to the default route for good. While the link is down the
     * kernel refuses the route (ENETDOWN): that is the operator's choice, left alone, as is a route to the network
     * with the same metric that someone put in place of ours (EEXIST); one with another metric does not stop ours
     * from being added. An add that fails otherwise is logged once per cause.
     *
     * @return true when the route had gone and was added again.
     */
    synchronized boolean addRouteIfGone() {
        try (Netlink netlink = new Netlink()) {
            netlink.addRoute(network.address(), network.length(), Netlink.linkIndex(tunName));
        } catch (final NativeException e) {
            // ENODEV: the device itself is gone, which the lanes notice (see Daemon#superviseLanes).
            if (e.errno() != Errno.EEXIST && e.errno() != Errno.ENETDOWN && e.errno() != Errno.ENODEV) {
                routeCheckLog.warn(tunName, "cannot check the route " + network + " dev " + tunName + ": " +
                    e.getMessage());
            }
            return false;
        }
        routeCheckLog.clear(tunName);
        return true;
    }

    /**
     * Routes {@code newNetwork} into the device in place of the network routed so far: the new route first, so that
     * no packet meets a gap. While the link is down (or gone) the new route waits for {@link #addRouteIfGone()}.
     *
     * @throws NativeException when the kernel refuses the new route for another reason, naming it; the old route then
     *                         stays, and the network to route is still the new one.
     */
    synchronized void network(final Ipv4Prefix newNetwork) throws NativeException {
        final Ipv4Prefix old = network;
        if (newNetwork.equals(old)) {
            return;
        }
        network = newNetwork;
        try (Netlink netlink = new Netlink()) {
            final int link = Netlink.linkIndex(tunName);
            try {
                netlink.addRoute(newNetwork.address(), newNetwork.length(), link);
            } catch (final NativeException e) {
                if (e.errno() != Errno.EEXIST && e.errno() != Errno.ENETDOWN) {
                    throw e;
                }
            }
            try {
                netlink.deleteRoute(old.address(), old.length(), link);
            } catch (final NativeException e) {
                // Gone already, with the link set down.
            }
        } catch (final NativeException e) {
            if (e.errno() != Errno.ENODEV) {
                throw e;
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        try (Netlink netlink = new Netlink()) {
            netlink.deleteRoute(network.address(), network.length(), Netlink.linkIndex(tunName));
        }
    }

    @Override
    public synchronized String toString() {
        return network + " dev " + tunName;
    }
}
