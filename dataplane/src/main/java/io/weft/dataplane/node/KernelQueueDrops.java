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
 * What the kernel dropped in the two queues in front of weftd, where weftd cannot count it itself: datagrams its UDP
 * sockets dropped (the drops column of {@code /proc/net/udp} for each socket of ours: a full receive buffer above all,
 * also bad checksums), and packets the TUN driver dropped on their way to {@code flannel0}'s readers (its transmit
 * drops in {@code /proc/net/dev}: a full queue while the lanes read too slowly, above all). Both are read from
 * {@code /proc/self/net}, which is always weftd's own network namespace. With {@code weft_drops_total} they are every
 * place a packet through weftd is lost. Read when /metrics is asked, never on the packet path.
 */
final class KernelQueueDrops {
    /** readlink of /proc/self/fd/N for a socket: "socket:[12345]". */
    private static final Pattern SOCKET_INODE = Pattern.compile("^socket:\\[(\\d+)]$");
    /** /proc/net/udp's columns: sl, local, remote, st, tx:rx queue, tr:when, retrnsmt, uid, timeout, inode, ... */
    private static final int INODE_COLUMN = 9;
    private static final int DROPS_COLUMN = 12;
    /** /proc/net/dev's columns after "name:": 8 receive counters, then bytes, packets, errs, drop of transmit. */
    private static final int TX_DROP_COLUMN = 11;

    private final List<Integer> socketFds;
    private final String tunName;

    KernelQueueDrops(final List<Integer> socketFds, final String tunName) {
        this.socketFds = List.copyOf(socketFds);
        this.tunName = tunName;
    }

    /** Drops at our sockets since they were opened; -1 if the kernel's tables cannot be read. */
    long udpSocketDrops() {
        try {
            return udpSocketDrops(Files.readString(Path.of("/proc/self/net/udp")), socketInodes());
        } catch (final IOException e) {
            return -1;
        }
    }

    /** Drops on the way to flannel0's readers since the device was made; -1 if it is not there now. */
    long tunQueueDrops() {
        try {
            return tunTransmitDrops(Files.readString(Path.of("/proc/self/net/dev")), tunName);
        } catch (final IOException e) {
            return -1;
        }
    }

    /** The transmit drops of {@code device} in {@code procNetDev}; -1 without such a device. */
    static long tunTransmitDrops(final String procNetDev, final String device) {
        for (final String line : procNetDev.split("\n")) {
            final int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals(device)) {
                final String[] columns = line.substring(colon + 1).strip().split("\\s+");
                return columns.length > TX_DROP_COLUMN ? Long.parseLong(columns[TX_DROP_COLUMN]) : -1;
            }
        }
        return -1;
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
