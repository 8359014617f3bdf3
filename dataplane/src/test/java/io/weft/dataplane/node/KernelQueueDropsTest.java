package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.tun.UdpSocket;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class KernelQueueDropsTest {
    private static final int LOOPBACK = 0x7F000001;

    @Test
    void shouldSumTheDropsOfOurSocketsOnly() {
        String procNetUdp = String.join("\n",
            "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref"
                + " pointer drops",
            "13630: 0100007F:DD1D 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 7089312 2"
                + " 0000000021c77313 5",
            "13631: 00000000:2065 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 7089313 2"
                + " 0000000021c77314 40",
            "13632: 00000000:2065 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 7089314 2"
                + " 0000000021c77315 2", "");

        assertThat(KernelQueueDrops.udpSocketDrops(procNetUdp, Set.of(7089313L, 7089314L))).isEqualTo(42);
        assertThat(KernelQueueDrops.udpSocketDrops(procNetUdp, Set.of())).isZero();
    }

    @Test
    void shouldCountWhatTheKernelDroppedAtAFullSocketOfOurs() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (UdpSocket full = UdpSocket.bind(LOOPBACK, port, false, 0, 4096);
             UdpSocket other = UdpSocket.bind(LOOPBACK, 0, false, 0, 0);
             DatagramSocket sender = new DatagramSocket()) {
            byte[] payload = new byte[512];
            for (int i = 0; i < 500; i++) {
                sender.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), port));
            }

            assertThat(new KernelQueueDrops(List.of(full.fd()), "lo").udpSocketDrops())
                .as("500 datagrams into a buffer of a few KB, none read").isGreaterThan(400);
            assertThat(new KernelQueueDrops(List.of(other.fd()), "lo").udpSocketDrops()).isZero();
        }
    }

    @Test
    void shouldReadTheTransmitDropsOfTheDevice() {
        String procNetDev = String.join("\n",
            "Inter-|   Receive                                                |  Transmit",
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls"
                + " carrier compressed",
            "    lo: 1935 136    0    0    0     0          0         0 1935 136    0    0    0     0       0    0",
            "flannel0: 800 10    0    3    0     0          0         0 9000 90    1    77    0     0       0    0",
            "");

        assertThat(KernelQueueDrops.tunTransmitDrops(procNetDev, "flannel0")).isEqualTo(77);
        assertThat(KernelQueueDrops.tunTransmitDrops(procNetDev, "flannel")).as("no such device").isEqualTo(-1);
    }

    @Test
    void shouldShowTheTunQueueOnlyWhileTheDeviceIsThere() {
        assertThat(new KernelQueueDrops(List.of(), "lo").toPrometheusText())
            .containsPattern("weft_kernel_drops_total\\{queue=\"tun\"} \\d+\n")
            .contains("weft_kernel_drops_total{queue=\"udp_socket\"} 0\n");
        assertThat(new KernelQueueDrops(List.of(), "no-such-dev0").toPrometheusText())
            .doesNotContain("queue=\"tun\"");
    }
}
