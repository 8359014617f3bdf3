package io.weft.dataplane.node;

import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.util.List;

/**
 * flanneld's {@code --ip-masq}: pods reach the world from the node's address while pod-to-pod traffic keeps its
 * source, as flanneld's five nat POSTROUTING rules in a chain of weft's own, hooked first into POSTROUTING and kept by
 * {@link IptablesChain}:
 * <pre>
 * -m mark --mark 0x4000/0x4000          RETURN       kube-proxy marked it and masquerades it in KUBE-POSTROUTING
 * -s NETWORK -d NETWORK                 RETURN       pod to pod: no NAT
 * -s NETWORK ! -d 224.0.0.0/4           MASQUERADE   pod to the world (not multicast)
 * ! -s NETWORK -d SUBNET                RETURN       the world to our pods: no NAT
 * ! -s NETWORK -d NETWORK               MASQUERADE   the host to other nodes' pods, so replies find their way back
 * </pre>
 */
public final class IpMasquerade {
    static final String CHAIN = "WEFT-POSTRTG";
    static final IptablesChain.Spec SPEC = new IptablesChain.Spec("--ip-masq", "nat", CHAIN, "POSTROUTING",
        "weft masquerade", true, IpMasquerade::rules);
    /** The bit kube-proxy's KUBE-MARK-MASQ sets for its own KUBE-POSTROUTING to masquerade (its default). */
    static final String KUBE_PROXY_MASQUERADE_MARK = "0x4000/0x4000";

    private IpMasquerade() {
    }

    /** The chain's rules, each as iptables arguments after {@code -A CHAIN}. */
    static List<List<String>> rules(final Ipv4Prefix network, final Ipv4Prefix subnet) {
        final String cluster = network.toString();
        return List.of(
            // Masquerading twice what kube-proxy's KUBE-MARK-MASQ marked trips a double-NAT bug of some kernels, and
            // kube-proxy does it anyway (flanneld returns these first for that reason).
            List.of("-m", "mark", "--mark", KUBE_PROXY_MASQUERADE_MARK, "-j", "RETURN"),
            List.of("-s", cluster, "-d", cluster, "-j", "RETURN"),
            List.of("-s", cluster, "!", "-d", "224.0.0.0/4", "-j", "MASQUERADE", "--random-fully"),
            List.of("!", "-s", cluster, "-d", subnet.toString(), "-j", "RETURN"),
            List.of("!", "-s", cluster, "-d", cluster, "-j", "MASQUERADE", "--random-fully"));
    }

    /**
     * The iptables command lines that set these rules up where they do not exist yet, without a weftd to watch them:
     * for the benchmark's kernel dataplanes, which get flanneld's {@code --ip-masq} rules as weft's nodes do.
     */
    public static List<List<String>> commandsForANewNode(final Ipv4Prefix network, final Ipv4Prefix subnet) {
        return IptablesChain.commandsForANewNode(SPEC, network, subnet);
    }

    /** Replaces whatever an earlier run left in the chain, then hooks the chain first into nat POSTROUTING. */
    static IptablesChain install(final Ipv4Prefix network, final Ipv4Prefix subnet, final int resyncSeconds)
        throws IOException {
        return IptablesChain.install(SPEC, network, subnet, resyncSeconds, true);
    }

    /** Unhooks and deletes the chain, if there (weftd --cleanup). */
    static void remove() {
        IptablesChain.remove(SPEC);
    }
}
