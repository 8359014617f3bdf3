package io.weft.dataplane.node;

import io.weft.log.Log;
import io.weft.registry.SubnetEnvFile;
import io.weft.routing.Ipv4Prefix;
import io.weft.tun.NativeException;

/**
 * {@code weftd --cleanup}: the deliberate removal of what a stop leaves in the kernel for the next weftd: the
 * persistent TUN device (its address and overlay route go with it), the blackhole route to the Network, and the
 * --ip-masq nat chain and the --iptables-forward-rules filter chain. The Network is read from the subnet file the
 * last weftd wrote. The lease stays in the registry (it expires, or the node's next weftd reuses it), as do
 * subnet.env and the CNI config.
 */
final class Cleanup {
    private Cleanup() {
    }

    /** Returns false, having said why, when something could not be removed. */
    static boolean run(final WeftdConfig config) {
        final Ipv4Prefix network = SubnetEnvFile.readNetwork(config.subnetFile());
        if (network == null) {
            Log.warn("no FLANNEL_NETWORK in " + config.subnetFile() + ": the blackhole route, if any, stays");
        }
        boolean removed = true;
        try {
            OverlayLink.remove(config.tunName(), network);
        } catch (final NativeException e) {
            Log.warn("cannot remove " + config.tunName() + ": " + e.getMessage());
            removed = false;
        }
        IpMasquerade.remove();
        ForwardRules.remove();
        Log.info("cleanup done: " + config.tunName() + " and its routes removed, --ip-masq and" +
            " --iptables-forward-rules rules removed");
        return removed;
    }
}
