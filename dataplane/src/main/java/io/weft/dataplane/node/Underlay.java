package io.weft.dataplane.node;

import io.weft.dataplane.packet.Ipv4Header;
import io.weft.dataplane.packet.UdpHeader;
import io.weft.routing.Ipv4Addresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The node's underlay: which interface carries the overlay, the address its lease names (publicIp), the address its
 * sockets bind (bindIp: the same, or the interface's own behind NAT, as flanneld's --public-ip), and the overlay MTU
 * that leaves room for the encapsulation.
 */
record Underlay(String iface, int publicIp, int bindIp, int mtu) {
    /** An IPv4 and a UDP header wrap every inner packet. */
    static final int ENCAPSULATION_OVERHEAD = Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;
    /** The route's Flags bit for "up" in /proc/net/route. */
    private static final int RTF_UP = 0x1;

    /** Where the kernel lists its IPv4 routes; the default route's interface is flanneld's default --iface. */
    static final Path PROC_NET_ROUTE = Path.of("/proc/net/route");
    /** Any port does for a route lookup: a connected UDP socket sends nothing. */
    private static final int DISCARD_PORT = 9;

    /**
     * @param ifaces --iface values in order, names or addresses: the first this node has is the underlay, as with
     *               flanneld. None: the interface holding {@code publicIp}, else the default route's.
     */
    static Underlay discover(final List<String> ifaces, final int publicIp) throws IOException {
        return discover(ifaces, List.of(), 0, publicIp);
    }

    /**
     * @param regexes  --iface-regex values, used without --iface: flanneld's order, addresses before names.
     * @param canReach --iface-can-reach, 0 for none; used without --iface and --iface-regex, as flanneld.
     */
    static Underlay discover(final List<String> ifaces, final List<Pattern> regexes, final int canReach,
        final int publicIp) throws IOException {
        final Match match = !ifaces.isEmpty() ? null : !regexes.isEmpty() ? byRegex(regexes)
            : canReach != 0 ? byRoute(canReach) : null;
        final NetworkInterface iface = match != null ? match.iface() : find(ifaces, publicIp);
        final int bindIp = publicIp != 0 && holds(iface, publicIp) ? publicIp
            : match != null && match.address() != 0 ? match.address() : firstIpv4(iface);
        final int address = publicIp != 0 ? publicIp : bindIp;
        final int mtu = iface.getMTU() - ENCAPSULATION_OVERHEAD;
        if (mtu < 576) {
            throw new IOException("interface " + iface.getName() + " has MTU " + iface.getMTU() +
                ": too small to carry the overlay (needs at least 604)");
        }
        return new Underlay(iface.getName(), address, bindIp, mtu);
    }

    private static NetworkInterface find(final List<String> ifaces, final int publicIp) throws IOException {
        try {
            if (!ifaces.isEmpty()) {
                for (final String spec : ifaces) {
                    final NetworkInterface iface = byNameOrAddress(spec);
                    if (iface != null) {
                        return iface;
                    }
                }
                throw new IOException("--iface " + String.join(", ", ifaces) +
                    ": no such network interface or address on this node");
            }
            final NetworkInterface holder = publicIp == 0 ? null : NetworkInterface.getByInetAddress(
                InetAddress.getByName(Ipv4Addresses.format(publicIp)));
            if (holder != null) {
                return holder;
            }
            // No --public-ip, or one behind NAT (not on this node): the default route's interface, as flanneld.
            final String name = defaultRouteInterface(Files.readAllLines(PROC_NET_ROUTE));
            final NetworkInterface iface = name == null ? null : NetworkInterface.getByName(name);
            if (iface == null) {
                throw new IOException("no default route to take the underlay interface from: give --iface");
            }
            return iface;
        } catch (final SocketException e) {
            throw new IOException("cannot list network interfaces: " + e.getMessage(), e);
        }
    }

    /** An interface --iface-regex found, and the address it found in it (0: it found the name). */
    private record Match(NetworkInterface iface, int address) {
    }

    /** As flanneld: per regex, first any interface's IPv4 address it finds, then any interface name. */
    private static Match byRegex(final List<Pattern> regexes) throws IOException {
        final List<NetworkInterface> all;
        try {
            all = Collections.list(NetworkInterface.getNetworkInterfaces());
        } catch (final SocketException e) {
            throw new IOException("cannot list network interfaces: " + e.getMessage(), e);
        }
        for (final Pattern regex : regexes) {
            for (final NetworkInterface iface : all) {
                for (final InterfaceAddress address : iface.getInterfaceAddresses()) {
                    final String text = address.getAddress().getHostAddress();
                    if (address.getAddress() instanceof Inet4Address && regex.matcher(text).find()) {
                        return new Match(iface, Ipv4Addresses.parse(text));
                    }
                }
            }
            for (final NetworkInterface iface : all) {
                if (regex.matcher(iface.getName()).find()) {
                    return new Match(iface, 0);
                }
            }
        }
        throw new IOException("--iface-regex " + regexes + ": no interface address or name matches");
    }

    /**
     * flanneld's --iface-can-reach, {@code ip route get ADDRESS}: a UDP socket connected to the address (which sends
     * nothing) makes the kernel look its route up and pick the source address it would send from; the interface
     * holding that address carries the traffic. Unlike {@code ip route get}, an address of this node gives the
     * interface holding it, not lo.
     */
    private static Match byRoute(final int destination) throws IOException {
        final String text = Ipv4Addresses.format(destination);
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(InetAddress.getByName(text), DISCARD_PORT);
            final InetAddress source = probe.getLocalAddress();
            final NetworkInterface iface = source == null || source.isAnyLocalAddress() ? null
                : NetworkInterface.getByInetAddress(source);
            if (!(source instanceof Inet4Address) || iface == null) {
                throw new IOException("--iface-can-reach " + text + ": no interface routes to it");
            }
            return new Match(iface, Ipv4Addresses.parse(source.getHostAddress()));
        } catch (final SocketException | UncheckedIOException e) {
            throw new IOException("--iface-can-reach " + text + ": no route to it: " + e.getMessage(), e);
        }
    }

    private static boolean holds(final NetworkInterface iface, final int address) {
        for (final InterfaceAddress held : iface.getInterfaceAddresses()) {
            if (held.getAddress() instanceof Inet4Address
                && Ipv4Addresses.parse(held.getAddress().getHostAddress()) == address) {
                return true;
            }
        }
        return false;
    }

    private static NetworkInterface byNameOrAddress(final String spec) throws IOException {
        final int address;
        try {
            address = Ipv4Addresses.parse(spec);
        } catch (final IllegalArgumentException e) {
            return NetworkInterface.getByName(spec);
        }
        return NetworkInterface.getByInetAddress(InetAddress.getByName(Ipv4Addresses.format(address)));
    }

    /**
     * The interface of the IPv4 default route (destination and mask 0, up) with the lowest metric, from the lines
     * of /proc/net/route; null without one.
     */
    static String defaultRouteInterface(final List<String> procNetRoute) {
        String best = null;
        long bestMetric = Long.MAX_VALUE;
        for (final String line : procNetRoute.subList(Math.min(1, procNetRoute.size()), procNetRoute.size())) {
            final String[] fields = line.trim().split("\\s+");
            if (fields.length < 8) {
                continue;
            }
            final boolean up = (Integer.parseInt(fields[3], 16) & RTF_UP) != 0;
            final long metric = Long.parseLong(fields[6]);
            if (up && fields[1].equals("00000000") && fields[7].equals("00000000") && metric < bestMetric) {
                best = fields[0];
                bestMetric = metric;
            }
        }
        return best;
    }

    private static int firstIpv4(final NetworkInterface iface) throws IOException {
        for (final InterfaceAddress address : iface.getInterfaceAddresses()) {
            if (address.getAddress() instanceof Inet4Address) {
                return Ipv4Addresses.parse(address.getAddress().getHostAddress());
            }
        }
        throw new IOException("--iface " + iface.getName() + " has no IPv4 address; give --public-ip");
    }
}
