package io.weft.tun;

/**
 * Which datagrams may share one UDP GSO message: consecutive ones to one destination, every one as long as the first
 * but the last, which may be shorter, at most {@link UdpSocket#UDP_MAX_SEGMENTS} of them and
 * {@link UdpSocket#UDP_GSO_MAX_BYTES} bytes in all, in the order offered. It follows the run a {@link SendBatch} is
 * building (its last message): each datagram offered either extends that run or starts the next one.
 */
final class GsoRun {
    private boolean segmentation;
    /** One more datagram may join: every one so far is as long as the first. */
    private boolean open;
    private int address;
    private int port;
    private int segmentLength;
    private int datagrams;
    private int bytes;

    /** @param segmentation false: every datagram is a run of its own. */
    GsoRun(final boolean segmentation) {
        this.segmentation = segmentation;
    }

    /**
     * Takes the next datagram, {@code length} bytes for {@code address:port}: true when it extends the run, false
     * when it starts a new one, which closes the run before it for good.
     */
    boolean offer(final int length, final int address, final int port) {
        if (open && length > 0 && length <= segmentLength && datagrams < UdpSocket.UDP_MAX_SEGMENTS &&
            bytes + length <= UdpSocket.UDP_GSO_MAX_BYTES && address == this.address && port == this.port) {
            datagrams++;
            bytes += length;
            open = length == segmentLength;
            return true;
        }
        this.address = address;
        this.port = port;
        segmentLength = length;
        datagrams = 1;
        bytes = length;
        open = segmentation && length > 0;
        return false;
    }

    /** True when one more datagram of the run's size would extend it: a send may leave the run queued to grow. */
    boolean canGrow() {
        return open && datagrams < UdpSocket.UDP_MAX_SEGMENTS && bytes + segmentLength <= UdpSocket.UDP_GSO_MAX_BYTES;
    }

    /** Nothing joins the run any more: it has left, or it is to leave as it is. */
    void close() {
        open = false;
    }

    /** From now on every datagram is a run of its own; the run so far is closed. */
    void stopSegmentation() {
        segmentation = false;
        open = false;
    }

    /** The size of every datagram of the run but the last: its UDP_SEGMENT size once it holds two. */
    int segmentLength() {
        return segmentLength;
    }

    int datagrams() {
        return datagrams;
    }
}
