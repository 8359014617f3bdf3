package io.weft.testbed;

/** The underlay address plan: nodes may only take host addresses of 192.168.213.0/24 other than the hub's. */
final class Underlay {
    static final String NETWORK = "192.168.213.0";
    static final int PREFIX_LENGTH = 24;
    private static final String NETWORK_PREFIX = "192.168.213.";

    private Underlay() {
    }

    static void checkNodeAddress(String ip) {
        if (!ip.startsWith(NETWORK_PREFIX)) {
            throw new IllegalArgumentException(ip + " is outside the underlay " + NETWORK + "/" + PREFIX_LENGTH);
        }
        String last = ip.substring(NETWORK_PREFIX.length());
        if (!last.matches("[1-9][0-9]{0,2}")) {
            throw new IllegalArgumentException(ip + " is not a dotted IPv4 address");
        }
        int host = Integer.parseInt(last);
        if (host < 1 || host > 253) {
            throw new IllegalArgumentException(ip + ": node hosts are .1 to .253 (.254 is the hub)");
        }
    }
}
