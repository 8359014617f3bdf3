package io.weft.dataplane.node;

import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.util.List;

/**
 * flanneld's {@code --iptables-forward-rules} (on by default): nodes whose filter FORWARD policy is DROP (Docker
 * sets it so) still forward pod traffic, through two ACCEPT rules in a chain of weft's own that FORWARD jumps to,
 * appended as flanneld appends its FLANNEL-FWD jump, and kept by {@link IptablesChain}:
 * <pre>
 * -s NETWORK   ACCEPT   from the pods
 * -d NETWORK   ACCEPT   to the pods
 * </pre>
 */
final class ForwardRules {
    static final String CHAIN = "WEFT-FWD";
    static final IptablesChain.Spec SPEC = new IptablesChain.Spec("--iptables-forward-rules", "filter", CHAIN,
        "FORWARD", "weft forward", false, ForwardRules::rules);

    private ForwardRules() {
    }

    /** The chain's rules, each as iptables arguments after {@code -A CHAIN}; the subnet does not matter here. */
    static List<List<String>> rules(final Ipv4Prefix network, final Ipv4Prefix subnet) {
        final String cluster = network.toString();
        return List.of(
            List.of("-s", cluster, "-j", "ACCEPT"),
            List.of("-d", cluster, "-j", "ACCEPT"));
    }

    /**
     * Replaces whatever an earlier run left in the chain, then appends the jump to it to filter FORWARD; on by
     * default, so a node where iptables fails still starts, as with flanneld: the failure is logged and retried.
     */
    static IptablesChain install(final Ipv4Prefix network, final Ipv4Prefix subnet, final int resyncSeconds)
        throws IOException {
        return IptablesChain.install(SPEC, network, subnet, resyncSeconds, false);
    }

    /** Unhooks and deletes the chain, if there (weftd --cleanup). */
    static void remove() {
        IptablesChain.remove(SPEC);
    }
}
