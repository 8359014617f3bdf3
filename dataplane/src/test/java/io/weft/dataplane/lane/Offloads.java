package io.weft.dataplane.lane;

/** Which offloads a lane under test has, as {@link LaneResources} would have found them on a kernel. */
enum Offloads {
    /** --offload=off: plain reads and writes, one datagram per message. */
    NONE(false, false, false),
    /** A TUN with virtio headers and TSO, but a socket without UDP GSO and GRO: segments leave one by one. */
    TUN_ONLY(true, false, false),
    /** Everything but UDP super-packets on the TUN (USO, Linux 6.2), as on most nodes. */
    ALL(true, true, true);

    final boolean tunTso;
    final boolean udpGso;
    final boolean udpGro;

    Offloads(final boolean tunTso, final boolean udpGso, final boolean udpGro) {
        this.tunTso = tunTso;
        this.udpGso = udpGso;
        this.udpGro = udpGro;
    }

    LaneResources.OffloadStatus status() {
        final LaneResources.OffloadStatus status = new LaneResources.OffloadStatus(this != NONE);
        status.tunTso = tunTso;
        status.udpGso = udpGso;
        status.udpGro = udpGro;
        return status;
    }
}
