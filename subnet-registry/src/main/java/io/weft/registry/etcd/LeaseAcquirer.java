package io.weft.registry.etcd;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import io.weft.registry.Lease;
import io.weft.registry.LeaseCodec;
import io.weft.registry.Log;
import io.weft.registry.NetworkConfig;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;

/**
 * flannel's tryAcquireLease: reuse the lease that carries our PublicIP (a reservation as it is, a leased key moved
 * to a new etcd lease); else create the previous subnet if free, else a random free one, writing only if the key does
 * not exist. Another node winning a race is a conflict: read again and retry. etcd being unreachable: wait and retry.
 */
final class LeaseAcquirer {
    private static final int MAX_CONFLICTS = 50;

    private final EtcdCalls calls;
    private final String subnetsPrefix;
    private final Duration leaseTtl;
    private final Supplier<Backoff> backoffs;
    private final RandomGenerator random;
    private final boolean partialChecksums;

    /** @param partialChecksums what the lease values we write say of the inner checksums we take (LeaseCodec). */
    LeaseAcquirer(final EtcdCalls calls, final String subnetsPrefix, final Duration leaseTtl,
        final Supplier<Backoff> backoffs, final RandomGenerator random, final boolean partialChecksums) {
        this.partialChecksums = partialChecksums;
        this.calls = calls;
        this.subnetsPrefix = subnetsPrefix;
        this.leaseTtl = leaseTtl;
        this.backoffs = backoffs;
        this.random = random;
    }

    /**
     * @throws IOException when etcd refuses (permissions), when no subnet is free, or after many lost races.
     */
    OwnLease acquire(final NetworkConfig network, final int publicIp, final Ipv4Prefix previousSubnet)
        throws IOException, InterruptedException {
        final Backoff backoff = backoffs.get();
        int conflicts = 0;
        while (true) {
            try {
                final OwnLease own = tryAcquire(network, publicIp, previousSubnet);
                if (own != null) {
                    return own;
                }
                if (++conflicts >= MAX_CONFLICTS) {
                    throw new IOException("gave up acquiring a subnet under " + subnetsPrefix + " after " +
                        conflicts + " races lost to other nodes");
                }
            } catch (final RetryableEtcdException e) {
                backoff.sleep();
            }
        }
    }

    /** One attempt; null when another writer got in between our read and our write. */
    private OwnLease tryAcquire(final NetworkConfig network, final int publicIp, final Ipv4Prefix previousSubnet)
        throws IOException, InterruptedException {
        final String prefix = subnetsPrefix;
        final EtcdCalls.Listing listing = calls.list(prefix);
        final List<Ipv4Prefix> taken = new ArrayList<>(listing.entries().size());
        EtcdCalls.Entry ours = null;
        Lease ourLease = null;
        for (final EtcdCalls.Entry entry : listing.entries()) {
            final Lease lease = decode(entry, prefix, network, taken);
            if (lease != null && lease.publicIp() == publicIp && (ours == null || entry.leaseId() == 0)) {
                // A reservation for us wins over a leased key for us: the operator pinned it.
                ours = entry;
                ourLease = lease;
            }
        }
        if (ours != null) {
            return ours.leaseId() == 0 ? reservation(ourLease) : takeOver(ours, ourLease);
        }
        final Ipv4Prefix chosen = SubnetAllocator.choose(network, taken, previousSubnet, random);
        if (chosen == null) {
            throw new IOException("no free subnet under " + prefix + ": every /" + network.subnetLength() +
                " from SubnetMin " + Ipv4Addresses.format(network.subnetMin()) + " to SubnetMax " +
                Ipv4Addresses.format(network.subnetMax()) + " of Network " + network.network() + " is leased");
        }
        final Lease lease = new Lease(chosen, publicIp, partialChecksums);
        final EtcdCalls.Grant grant = calls.grant(leaseTtl);
        final boolean created;
        try {
            created = calls.createIfAbsent(prefix + lease.keyName(),
                LeaseCodec.encodeValue(publicIp, partialChecksums), grant.leaseId());
        } catch (final IOException e) {
            calls.revokeQuietly(grant.leaseId());
            throw e;
        }
        if (!created) {
            calls.revokeQuietly(grant.leaseId());
            return null;
        }
        final OwnLease own = new OwnLease(lease, grant.leaseId(), grant.ttlSeconds(), System.nanoTime());
        Log.info("acquired " + (chosen.equals(previousSubnet) ? "our previous subnet: " : "a new subnet: ") + own);
        return own;
    }

    private static OwnLease reservation(final Lease lease) {
        final OwnLease own = OwnLease.reservation(lease);
        Log.info("using the reservation for our PublicIP: " + own);
        return own;
    }

    /** Moves our existing key to a fresh etcd lease, as flannel's updateSubnet, unless someone changed it meanwhile. */
    private OwnLease takeOver(final EtcdCalls.Entry entry, final Lease lease) throws IOException, InterruptedException {
        final EtcdCalls.Grant grant = calls.grant(leaseTtl);
        final boolean replaced;
        try {
            replaced = calls.replaceIfUnchanged(entry.key(),
                LeaseCodec.encodeValue(lease.publicIp(), partialChecksums), grant.leaseId(), entry.modRevision());
        } catch (final IOException e) {
            calls.revokeQuietly(grant.leaseId());
            throw e;
        }
        if (!replaced) {
            calls.revokeQuietly(grant.leaseId());
            return null;
        }
        final OwnLease own = new OwnLease(new Lease(lease.subnet(), lease.publicIp(), partialChecksums),
            grant.leaseId(), grant.ttlSeconds(), System.nanoTime());
        Log.info("reusing the lease with our PublicIP: " + own);
        return own;
    }

    /** The entry's lease, or null; every key that names a subnet is taken, even with a value we cannot read. */
    private static Lease decode(final EtcdCalls.Entry entry, final String prefix, final NetworkConfig network,
        final List<Ipv4Prefix> taken) {
        final String keyName = entry.key().substring(prefix.length());
        try {
            taken.add(LeaseCodec.parseKey(keyName));
            return LeaseCodec.decode(keyName, entry.value(), network);
        } catch (final IllegalArgumentException e) {
            return null;
        }
    }
}
