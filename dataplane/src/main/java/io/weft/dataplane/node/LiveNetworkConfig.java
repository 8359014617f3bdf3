package io.weft.dataplane.node;

import io.weft.log.Log;
import io.weft.registry.Lease;
import io.weft.registry.LeaseChanges;
import io.weft.registry.LeaseListener;
import io.weft.registry.NetworkConfig;
import io.weft.registry.SubnetEnvFile;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Applies a Network changed in the network config while weftd runs (the registry passes on only what can be applied
 * live: see {@link io.weft.registry.NetworkConfigChange}) to what weftd made of the old one: the overlay route, the
 * {@code --ip-masq} and {@code --iptables-forward-rules} rules, subnet.env and the CNI conflist (so that new pods
 * get a route to the new Network). Lease sets and our re-acquired lease go on to the route updater. Runs on the
 * registry's thread.
 */
final class LiveNetworkConfig implements LeaseListener {
    private final LeaseListener routes;
    private final OverlayLink link;
    private final IptablesChain masquerade;
    private final IptablesChain forward;
    private final Path subnetFile;
    private final Path conflist;
    private final Ipv4Prefix subnet;
    private final int mtu;
    private final boolean ipMasq;
    private Ipv4Prefix network;

    /**
     * @param masquerade the {@code --ip-masq} rules; null without them.
     * @param forward    the {@code --iptables-forward-rules}; null without them.
     */
    LiveNetworkConfig(final LeaseListener routes, final OverlayLink link, final IptablesChain masquerade,
        final IptablesChain forward, final Path subnetFile, final Path conflist, final Ipv4Prefix network,
        final Ipv4Prefix subnet, final int mtu, final boolean ipMasq) {
        this.routes = routes;
        this.link = link;
        this.masquerade = masquerade;
        this.forward = forward;
        this.subnetFile = subnetFile;
        this.conflist = conflist;
        this.network = network;
        this.subnet = subnet;
        this.mtu = mtu;
        this.ipMasq = ipMasq;
    }

    @Override
    public void onLeases(final List<Lease> leases, final long observedNanos) {
        routes.onLeases(leases, observedNanos);
    }

    @Override
    public void onLeaseChanges(final LeaseChanges changes, final long observedNanos) {
        routes.onLeaseChanges(changes, observedNanos);
    }

    @Override
    public void onOwnLeaseReacquired(final Lease lease) {
        routes.onOwnLeaseReacquired(lease);
    }

    @Override
    public void onNetworkConfig(final NetworkConfig applied) {
        final Ipv4Prefix old = network;
        if (applied.network().equals(old)) {
            return;
        }
        network = applied.network();
        Log.info("the Network is now " + network + " (was " + old + "): routing it into " + link + ", rewriting " +
            subnetFile + " and " + conflist + (masquerade == null ? "" : " and the --ip-masq rules") +
            (forward == null ? "" : " and the --iptables-forward-rules"));
        try {
            link.network(network);
        } catch (final IOException e) {
            // The main loop's route check adds it once the kernel takes it.
            Log.warn("cannot route " + network + " into the overlay yet: " + e.getMessage());
        }
        if (masquerade != null) {
            masquerade.network(network, subnet);
        }
        if (forward != null) {
            forward.network(network, subnet);
        }
        try {
            SubnetEnvFile.write(subnetFile, network, subnet, mtu, ipMasq);
            SubnetEnvFile.writeAtomically(conflist, CniConflist.render(network, subnet, mtu, ipMasq));
        } catch (final IOException e) {
            Log.warn("cannot write the new Network " + network + " into " + subnetFile + " and " + conflist + ": " +
                e.getMessage());
        }
    }
}
