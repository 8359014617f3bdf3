package io.weft.dataplane.lane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.tun.UdpSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Resources taken over from a running weftd: laid out per lane as they were handed, with the offloads handed. */
class LaneResourcesTest {
    private static final int LOOPBACK = 0x7f000001;

    @Test
    void shouldGiveEachLaneTheDescriptorsHandedForItAndHandThemOnInTheSameOrder() throws Exception {
        final List<UdpSocket> standIns = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            standIns.add(UdpSocket.bind(LOOPBACK, 0, false, 0, 0));
        }
        final int[] fds = standIns.stream().mapToInt(UdpSocket::fd).toArray();
        final LaneResources.OffloadStatus handed = LaneResources.OffloadStatus.handed(true, true, false, true, false);

        try (LaneResources resources = LaneResources.adopt("flannel0", fds, handed)) {
            assertThat(resources.lanes()).isEqualTo(2);
            assertThat(resources.io(1).tun().fd()).isEqualTo(fds[1]);
            assertThat(resources.io(1).receiveSocket().fd()).isEqualTo(fds[3]);
            assertThat(resources.io(1).sendSocket().fd()).isEqualTo(fds[5]);
            assertThat(resources.handOverFds()).containsExactly(fds);
            assertThat(resources.offloads.tunTso()).isTrue();
            assertThat(resources.offloads.tunUso()).isFalse();
            assertThat(resources.offloads.udpGso()).isTrue();
            assertThat(resources.offloads.udpGro()).isFalse();
        }
    }

    @Test
    void shouldRefuseDescriptorsThatAreNotThreePerLane() {
        assertThatThrownBy(() -> LaneResources.adopt("flannel0", new int[] {3, 4},
            LaneResources.OffloadStatus.handed(false, false, false, false, false)))
            .hasMessageContaining("not 3 per lane");
    }
}
