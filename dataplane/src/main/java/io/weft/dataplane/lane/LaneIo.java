package io.weft.dataplane.lane;

import io.weft.tun.TunDevice;
import io.weft.tun.UdpSocket;

/**
 * The kernel side of one lane: its TUN queue, its socket in the receive group on the backend port, and its send
 * socket, whose port the peers' SO_REUSEPORT hash spreads flows by.
 */
public record LaneIo(TunDevice tun, UdpSocket receiveSocket, UdpSocket sendSocket) {
}
