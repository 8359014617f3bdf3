package io.weft.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

class TunDeviceTest {
    private static final int NETWORK = 0x0AF40000;      // 10.244.0.0
    private static final int OWN_ADDRESS = 0x0AF40100;  // 10.244.1.0
    private static final int REMOTE_POD = 0x0AF40205;   // 10.244.2.5

    @Test
    void shouldBeAvailableWhenRootWithTunDevice() {
        needsRoot();
        assertThat(TunDevice.unavailabilityCause()).isNull();
        assertThat(TunDevice.isAvailable()).isTrue();
    }

    @Test
    void shouldConfigureLinkAndDeliverRoutedPacketWhenOpenedInNamespace() throws Exception {
        needsRoot();
        try (TestNamespace ns = TestNamespace.create("tun")) {
            ns.run(() -> {
                try (TunDevice tun = TunDevice.open("flannel0", 0);
                    Netlink netlink = new Netlink();
                    Epoll epoll = new Epoll();
                    UdpSocket socket = UdpSocket.bind(0, 0, false, 0, 0)) {
                    final int index = Netlink.linkIndex("flannel0");
                    netlink.setMtu(index, 1400);
                    netlink.setGsoMaxSegments(index, 64);
                    netlink.setTransmitQueueLength(index, 10000);
                    netlink.addAddress(index, OWN_ADDRESS, 32);
                    netlink.setUp(index);
                    netlink.addRoute(NETWORK, 16, index);

                    assertThat(ns.ip("-d", "link", "show", "flannel0")).contains("gso_max_segs 64");
                    final String link = ns.ip("-o", "link", "show", "flannel0");
                    assertThat(link).contains("mtu 1400").contains("UP").contains("qlen 10000");
                    assertThat(ns.ip("-o", "addr", "show", "flannel0")).contains("inet 10.244.1.0/32");
                    assertThat(ns.ip("route", "show")).contains("10.244.0.0/16 dev flannel0");

                    epoll.add(tun.fd(), Epoll.EPOLLIN);
                    final ByteBuffer payload = ByteBuffer.allocateDirect(64);
                    final long payloadAddress = jnr.ffi.Pointer.wrap(Native.RUNTIME, payload).address();
                    assertThat(socket.sendTo(payloadAddress, 10, REMOTE_POD, 7777)).isEqualTo(10);

                    assertThat(epoll.await(2000)).isEqualTo(1);
                    final ByteBuffer packet = ByteBuffer.allocateDirect(2048);
                    final long packetAddress = jnr.ffi.Pointer.wrap(Native.RUNTIME, packet).address();
                    final int length = tun.read(packetAddress, 2048);
                    assertThat(length).isEqualTo(20 + 8 + 10);
                    assertThat(packet.get(0) >> 4).isEqualTo(4);
                    assertThat(packet.get(9)).isEqualTo((byte)17);
                    assertThat(packet.getInt(16)).isEqualTo(REMOTE_POD);
                    assertThat(tun.read(packetAddress, 2048)).as("nothing queued").isZero();
                }
            });
            assertThat(ns.ip("link", "show")).as("device gone with its fd").doesNotContain("flannel0");
        }
    }

    @Test
    void shouldNameTheCauseWhenTunNameIsHeld() throws Exception {
        needsRoot();
        try (TestNamespace ns = TestNamespace.create("busy")) {
            ns.run(() -> {
                try (TunDevice first = TunDevice.open("flannel0", 0)) {
                    assertThat(first.name()).isEqualTo("flannel0");
                    assertThatThrownBy(() -> TunDevice.open("flannel0", 0))
                        .isInstanceOf(NativeException.class)
                        .hasMessageContaining("cannot create TUN device flannel0")
                        .hasMessageContaining("EBUSY")
                        .hasMessageContaining("name in use");
                }
            });
        }
    }

    @Test
    void shouldRejectAddressAlreadyPresent() throws Exception {
        needsRoot();
        try (TestNamespace ns = TestNamespace.create("addr")) {
            ns.run(() -> {
                try (TunDevice tun = TunDevice.open("flannel0", 0); Netlink netlink = new Netlink()) {
                    final int index = Netlink.linkIndex(tun.name());
                    netlink.addAddress(index, OWN_ADDRESS, 32);
                    assertThatThrownBy(() -> netlink.addAddress(index, OWN_ADDRESS, 32))
                        .hasMessageContaining("EEXIST").hasMessageContaining("address in use");
                    assertThatThrownBy(() -> Netlink.linkIndex("nosuchdev0"))
                        .hasMessageContaining("no network device named nosuchdev0");
                }
            });
        }
    }

    /**
     * A persistent multi-queue TUN outlives its last queue, keeping address and route, and the kernel drops (and
     * counts) what is routed to it meanwhile; a new queue attaches to it with the same flags.
     */
    @Test
    void shouldKeepAPersistentDeviceWithoutQueuesAndAttachToItAgain() throws Exception {
        needsRoot();
        try (TestNamespace ns = TestNamespace.create("persist")) {
            ns.run(() -> {
                final int flags = TunDevice.IFF_MULTI_QUEUE;
                try (TunDevice tun = TunDevice.open("flannel0", flags); Netlink netlink = new Netlink()) {
                    tun.setPersistent(true);
                    assertThat(tun.flags() & (TunDevice.IFF_TUN | TunDevice.IFF_NO_PI | TunDevice.IFF_MULTI_QUEUE
                        | TunDevice.IFF_PERSIST)).isEqualTo(TunDevice.IFF_TUN | TunDevice.IFF_NO_PI
                        | TunDevice.IFF_MULTI_QUEUE | TunDevice.IFF_PERSIST);
                    final int index = Netlink.linkIndex("flannel0");
                    netlink.addAddress(index, OWN_ADDRESS, 32);
                    netlink.setUp(index);
                    netlink.addRoute(NETWORK, 16, index);
                    netlink.addBlackholeRoute(NETWORK, 16, 4242);
                }
                assertThat(ns.ip("-o", "link", "show", "flannel0")).contains("NO-CARRIER");
                assertThat(ns.ip("-o", "addr", "show", "flannel0")).contains("inet 10.244.1.0/32");
                assertThat(ns.ip("route", "show")).contains("10.244.0.0/16 dev flannel0")
                    .contains("blackhole 10.244.0.0/16 metric 4242");
                try (UdpSocket socket = UdpSocket.bind(0, 0, false, 0, 0)) {
                    final NativeBuffer payload = new NativeBuffer(16);
                    socket.sendTo(payload.address, 10, REMOTE_POD, 7777);
                    payload.keepAlive();
                }
                assertThat(TestNamespace.exec("ip", "netns", "exec", ns.name, "cat",
                    "/sys/class/net/flannel0/statistics/tx_dropped").strip()).as("counted as TX dropped")
                    .isNotEqualTo("0");
                try (TunDevice again = TunDevice.open("flannel0", flags); Netlink netlink = new Netlink()) {
                    assertThat(again.flags() & TunDevice.IFF_PERSIST).isNotZero();
                    assertThatThrownBy(() -> TunDevice.open("flannel0", 0)).as("not multi-queue")
                        .hasMessageContaining("EINVAL");
                    again.setPersistent(false);
                    netlink.deleteBlackholeRoute(NETWORK, 16, 4242);
                }
            });
            assertThat(ns.ip("link", "show")).doesNotContain("flannel0");
            assertThat(ns.ip("route", "show")).doesNotContain("blackhole");
        }
    }

    /** Checked before any system call: runs without root. */
    @Test
    void shouldRejectNamesTooLongForTheKernel() {
        assertThatThrownBy(() -> TunDevice.open("a-name-of-16-chr", 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 15 characters");
    }

    private static void needsRoot() {
        assumeTrue(TestNamespace.isRoot(), "needs root: creates network namespaces and TUN devices");
    }
}
