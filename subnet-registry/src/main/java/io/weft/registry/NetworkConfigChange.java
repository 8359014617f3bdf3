package io.weft.registry;

import java.util.ArrayList;
import java.util.List;

import io.weft.routing.Ipv4Prefix;

/**
 * What a running node makes of a network config written after it started: it applies what it can live and names
 * what waits for a restart. Live: a Network that still holds the node's subnet (widened: the new subnets' leases are
 * routed; narrowed: those outside it are not), SubnetMin and SubnetMax (they only steer new allocations). Not live:
 * SubnetLen (the node's subnet, flannel0, cni0 and its pods' addresses have the old length; leases of the new length
 * would be refused, so the Network is held back with it), a Network that no longer holds the node's subnet,
 * Backend.Port (the UDP sockets are bound and every peer is sent to at the port the node started with) and a
 * Backend.Type other than udp. Pure logic.
 *
 * @param applied the config the node runs with from now on: leases are read against it.
 * @param pending the keys of the written config that differ from {@code applied} and wait for a restart, each the
 *                cause rather than a consequence (a SubnetMin held back with SubnetLen is not named); empty when the
 *                node runs the config as written.
 */
public record NetworkConfigChange(NetworkConfig applied, List<String> pending) {
    public static final String NETWORK = "Network";
    public static final String SUBNET_LEN = "SubnetLen";
    public static final String BACKEND_PORT = "Backend.Port";
    public static final String BACKEND_TYPE = "Backend.Type";
    /** Every key that can be pending, in the order they are named. */
    public static final List<String> KEYS = List.of(NETWORK, SUBNET_LEN, BACKEND_PORT, BACKEND_TYPE);

    public NetworkConfigChange {
        pending = List.copyOf(pending);
    }

    /**
     * @param running   the config the node runs with now.
     * @param written   the config just read, valid.
     * @param ownSubnet the node's subnet; null when it has none (yet).
     */
    public static NetworkConfigChange of(final NetworkConfig running, final NetworkConfig written,
        final Ipv4Prefix ownSubnet) {
        final boolean sameLength = written.subnetLength() == running.subnetLength();
        final boolean holdsOurs = ownSubnet == null || written.network().contains(ownSubnet.address());
        final List<String> pending = new ArrayList<>();
        final NetworkConfig applied;
        if (sameLength && holdsOurs) {
            applied = new NetworkConfig(written.network(), written.subnetLength(), written.subnetMin(),
                written.subnetMax(), running.backendPort());
        } else {
            applied = running;
            if (!written.network().equals(running.network())) {
                pending.add(NETWORK);
            }
            if (!sameLength) {
                pending.add(SUBNET_LEN);
            }
        }
        if (written.backendPort() != running.backendPort()) {
            pending.add(BACKEND_PORT);
        }
        return new NetworkConfigChange(applied, pending);
    }

    /** A config naming a backend weftd does not implement: nothing of it can be applied. */
    public static NetworkConfigChange unsupportedBackend(final NetworkConfig running) {
        return new NetworkConfigChange(running, List.of(BACKEND_TYPE));
    }
}
