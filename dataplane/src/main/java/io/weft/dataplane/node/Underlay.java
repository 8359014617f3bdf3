package io.weft.dataplane.node;

import io.weft.dataplane.packet.Ipv4Header;
import io.weft.dataplane.packet.UdpHeader;
import io.weft.routing.Ipv4Addresses;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/** The node's underlay: which interface and address carry the overlay, and the overlay MTU that leaves room for it. */
record Underlay(String iface, int publicIp, int mtu) {
    /** An IPv4 and a UDP header wrap every inner packet. */
    static final int ENCAPSULATION_OVERHEAD = Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;

    static Underlay discover(final String ifaceName, final int publicIp) throws IOException {
        final NetworkInterface iface = find(ifaceName, publicIp);
        final int address = publicIp != 0 ? publicIp : firstIpv4(iface);
        final int mtu = iface.getMTU() - ENCAPSULATION_OVERHEAD;
        if (mtu < 576) {
            throw new IOException("interface " + iface.getName() + " has MTU " + iface.getMTU() +
                ": too small to carry the overlay (needs at least 604)");
        }
        return new Underlay(iface.getName(), address, mtu);
    }

    private static NetworkInterface find(final String ifaceName, final int publicIp) throws IOException {
        try {
            if (!ifaceName.isEmpty()) {
                final NetworkInterface iface = NetworkInterface.getByName(ifaceName);
                if (iface == null) {
                    throw new IOException("--iface " + ifaceName + ": no such network interface on this node");
                }
                return iface;
            }
            if (publicIp == 0) {
                throw new IOException("give --public-ip or --iface: weftd needs to know its underlay address");
            }
            final NetworkInterface iface = NetworkInterface.getByInetAddress(
                InetAddress.getByName(Ipv4Addresses.format(publicIp)));
            if (iface == null) {
                throw new IOException("--public-ip " + Ipv4Addresses.format(publicIp) +
                    " is not an address of any interface on this node");
            }
            return iface;
        } catch (final SocketException e) {
            throw new IOException("cannot list network interfaces: " + e.getMessage(), e);
        }
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
