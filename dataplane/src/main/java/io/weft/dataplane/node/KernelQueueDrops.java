package io.weft.dataplane.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the kernel dropped in the two queues in front of weftd, where weftd cannot count it itself: datagrams for its
 * UDP sockets that found their receive buffers full (each socket's drops in {@code /proc/net/udp}), and packets for
 * {@code flannel0} that found its queue full while the lanes read too slowly (the device's {@code tx_dropped}: the
 * kernel transmits into a TUN). With {@code weft_drops_total} they are every place a packet through weftd is lost.
 * Read when /metrics is asked, never on the packet path.
 */
final class KernelQueueDrops {
    /** readlink of /proc/self/fd/N for a socket: "socket:[12345]". */
    private static final Pattern SOCKET_INODE = Pattern.compile("^socket:\\[(\\d+)]$");
    /** /proc/net/udp's columns: sl, local, remote, st, tx:rx queue, tr:when, retrnsmt, uid, timeout, inode, ... */
    private static final int INODE_COLUMN = 9;
    private static final int DROPS_COLUMN = 12;

    private final List<Integer> socketFds;
    private final Path tunStatistics;

    KernelQueueDrops(final List<Integer> socketFds, final String tunName) {
        this.socketFds = List.copyOf(socketFds);
        this.tunStatistics = Path.of("/sys/class/net", tunName, "statistics", "tx_dropped");
    }

    /** Drops at our sockets since they were opened; -1 if the kernel's tables cannot be read. */
    long udpSocketDrops() {
        try {
            return udpSocketDrops(Files.readString(Path.of("/proc/self/net/udp")), socketInodes());
        } catch (final IOException e) {
            return -1;
        }
    }

    /** Drops at flannel0's queue since the device was made; -1 if it cannot be read (not there now, no sysfs). */
    long tunQueueDrops() {
        try {
            return Long.parseLong(Files.readString(tunStatistics).strip());
        } catch (final IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The sum of the drops column of the lines of {@code procNetUdp} whose socket is one of {@code inodes}. */
    static long udpSocketDrops(final String procNetUdp, final Set<Long> inodes) {
        long drops = 0;
        for (final String line : procNetUdp.split("\n")) {
            final String[] columns = line.strip().split("\\s+");
            if (columns.length > DROPS_COLUMN && columns[INODE_COLUMN].matches("\\d+")
                && inodes.contains(Long.parseLong(columns[INODE_COLUMN]))) {
                drops += Long.parseLong(columns[DROPS_COLUMN]);
            }
        }
        return drops;
    }

    private Set<Long> socketInodes() throws IOException {
        final Set<Long> inodes = new HashSet<>();
        for (final int fd : socketFds) {
            final Matcher inode = SOCKET_INODE.matcher(Files.readSymbolicLink(Path.of("/proc/self/fd",
                Integer.toString(fd))).toString());
            if (inode.matches()) {
                inodes.add(Long.parseLong(inode.group(1)));
            }
        }
        return inodes;
    }

    /** {@code weft_kernel_drops_total{queue}}, each queue only when it can be read. */
    String toPrometheusText() {
        final StringBuilder text = new StringBuilder("# TYPE weft_kernel_drops_total counter\n");
        final long socket = udpSocketDrops();
        if (socket >= 0) {
            text.append("weft_kernel_drops_total{queue=\"udp_socket\"} ").append(socket).append('\n');
        }
        final long tun = tunQueueDrops();
        if (tun >= 0) {
            text.append("weft_kernel_drops_total{queue=\"tun\"} ").append(tun).append('\n');
        }
        return text.toString();
    }
}
