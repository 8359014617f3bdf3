package io.weft.bench;

import io.weft.testbed.Pod;

/**
 * A pod's kernel UDP counters, from its network namespace's {@code /proc/net/snmp}: where a datagram that reached the
 * pod but not the application went.
 */
final class UdpCounters {
    private UdpCounters() {
    }

    /** Datagrams the pod's kernel dropped because the receiving socket's buffer was full, since the pod began. */
    static long receiveBufferErrors(Pod pod) {
        return receiveBufferErrors(pod.exec("cat", "/proc/net/snmp").orThrow().stdout());
    }

    /** RcvbufErrors of the "Udp:" lines: the first names the fields, the second holds the values. */
    static long receiveBufferErrors(String snmp) {
        String[] names = null;
        for (String line : snmp.split("\n")) {
            if (!line.startsWith("Udp: ")) {
                continue;
            }
            String[] fields = line.substring(5).trim().split("\\s+");
            if (names == null) {
                names = fields;
                continue;
            }
            for (int i = 0; i < names.length && i < fields.length; i++) {
                if ("RcvbufErrors".equals(names[i])) {
                    return Long.parseLong(fields[i]);
                }
            }
            break;
        }
        throw new IllegalArgumentException("no Udp RcvbufErrors in /proc/net/snmp:\n" + snmp);
    }
}
