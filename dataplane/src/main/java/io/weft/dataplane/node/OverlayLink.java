package io.weft.dataplane.node;

import io.weft.log.Log;
import io.weft.log.OncePerKeyLog;
import io.weft.routing.Ipv4Prefix;
import io.weft.tun.Errno;
import io.weft.tun.NativeException;
import io.weft.tun.Netlink;
import io.weft.tun.UdpSocket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * flannel0 as the kernel's routing sees it: its address, MTU, queue length and segment limit, the route that sends
 * the overlay network into it, and a blackhole route to the network under it. Configured at start (on a device made
 * anew or left by an earlier weftd: every step takes what is already there) and again whenever the device is made
 * anew; the route is put back when it has gone and moved with the blackhole when the network config's Network
 * changes. A stop leaves all of it in the kernel: while no weftd runs, the persistent device without queues drops
 * (and counts) what pods send to other nodes; only {@link #remove} (weftd --cleanup) takes it away.
 * Called from the main loop and the lease watcher's thread, hence synchronized.
 */
final class OverlayLink {
    private static final int TUN_TRANSMIT_QUEUE_LENGTH = 10_000;
    /**
     * The blackhole's metric: above any route's, so it is used only when the route through the device is gone (the
     * device deleted, the link set down): traffic to the overlay is then dropped, never sent to the default route.
     */
    static final int BLACKHOLE_METRIC = 1_000_000;

    private final String tunName;
    private final Ipv4Prefix subnet;
    /** The subnet of an earlier run whose address may still be on the device (null: none known). */
    private final Ipv4Prefix replacedSubnet;
    private Ipv4Prefix network;
    private final int mtu;
    private final boolean superPackets;
    private final OncePerKeyLog routeCheckLog = new OncePerKeyLog();

    /**
     * @param superPackets the TUN hands over TCP super-packets, which the lanes cut into at most
     *     {@link UdpSocket#UDP_MAX_SEGMENTS} segments.
     */
    OverlayLink(final String tunName, final Ipv4Prefix subnet, final Ipv4Prefix replacedSubnet,
        final Ipv4Prefix network, final int mtu, final boolean superPackets) {
        this.tunName = tunName;
        this.subnet = subnet;
        this.replacedSubnet = subnet.equals(replacedSubnet) ? null : replacedSubnet;
        this.network = network;
        this.mtu = mtu;
        this.superPackets = superPackets;
    }

    /**
     * Configures the device, made anew or kept from an earlier weftd, and routes the overlay network into it. What is
     * already as wanted stays; the address of an earlier run's other subnet goes.
     */
    synchronized void configure() throws IOException {
        try (Netlink netlink = new Netlink()) {
            final int link = Netlink.linkIndex(tunName);
            if (replacedSubnet != null) {
                try {
                    netlink.deleteAddress(link, replacedSubnet.address(), 32);
                    Log.info("removed " + replacedSubnet.address() + "/32 of the earlier subnet " + replacedSubnet +
                        " from " + tunName);
                } catch (final NativeException e) {
                    // Not there: a device made anew, or the earlier run never got that far.
                }
            }
            // flannel's layout: the subnet's network address as a /32 (no broadcast routes), the Network routed in.
            ignoreExisting(() -> netlink.addAddress(link, subnet.address(), 32));
            netlink.setMtu(link, mtu);
            // A TUN's default 500-packet queue overflows in the bursts a sleeping reader meets; TCP then retransmits.
            netlink.setTransmitQueueLength(link, TUN_TRANSMIT_QUEUE_LENGTH);
            if (superPackets) {
                // The userspace splitter takes as many segments per super-packet as one UDP GSO send carries.
                netlink.setGsoMaxSegments(link, UdpSocket.UDP_MAX_SEGMENTS);
            }
            Ipv6Off.disable(tunName);
            netlink.setUp(link);
            keepRoutesWhileNoCarrier();
            ignoreExisting(() -> netlink.addRoute(network.address(), network.length(), link));
            ignoreExisting(() -> netlink.addBlackholeRoute(network.address(), network.length(), BLACKHOLE_METRIC));
        }
    }

    /**
     * With no weftd attached the device has no carrier and the kernel marks its route linkdown; a host that sets
     * ignore_routes_with_linkdown would then skip it and send pod traffic to the default route. On our own device
     * the route stays in use, whatever the host's defaults: the device drops and counts.
     */
    private void keepRoutesWhileNoCarrier() throws IOException {
        final Path setting = Path.of("/proc/sys/net/ipv4/conf", tunName, "ignore_routes_with_linkdown");
        Files.writeString(setting, "0");
    }

    @FunctionalInterface
    private interface NetlinkStep {
        void run() throws NativeException;
    }

    private static void ignoreExisting(final NetlinkStep step) throws NativeException {
        try {
            step.run();
        } catch (final NativeException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    /**
     * weftd --cleanup: deletes the device (its address and route go with it) and the blackhole route to
     * {@code network} (null: unknown, none is deleted). What is already gone is fine.
     */
    static void remove(final String tunName, final Ipv4Prefix network) throws NativeException {
        try (Netlink netlink = new Netlink()) {
            try {
                netlink.deleteLink(Netlink.linkIndex(tunName));
                Log.info("deleted " + tunName);
            } catch (final NativeException e) {
                Log.info(tunName + " was not there: " + e.getMessage());
            }
            if (network != null) {
                try {
                    netlink.deleteBlackholeRoute(network.address(), network.length(), BLACKHOLE_METRIC);
                    Log.info("deleted the route blackhole " + network + " metric " + BLACKHOLE_METRIC);
                } catch (final NativeException e) {
                    Log.info("the route blackhole " + network + " was not there: " + e.getMessage());
                }
            }
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
            ignoreExisting(() -> netlink.addBlackholeRoute(newNetwork.address(), newNetwork.length(),
                BLACKHOLE_METRIC));
            try {
                netlink.deleteBlackholeRoute(old.address(), old.length(), BLACKHOLE_METRIC);
            } catch (final NativeException e) {
                // Gone already.
            }
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
    public synchronized String toString() {
        return network + " dev " + tunName;
    }
}
