package io.weft.registry.etcd;

import io.weft.log.Log;
import io.weft.registry.BackendData;
import io.weft.registry.Lease;
import io.weft.registry.LeaseCodec;
import io.weft.registry.NetworkConfig;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * flannel's tryAcquireLease: reuse the lease that carries our PublicIP (a reservation as it is, a leased key moved
 * to a new etcd lease); else create the previous subnet if free, else a random free one, writing only if the key does
 * not exist. Another node winning a race is a conflict: read again and retry. etcd being unreachable: wait and retry.
 * Beyond flannel, a node never gives up the subnet its pods use to a value written over its key: it writes its lease
 * back over the key of the subnet it holds, and at start over the previous subnet's key when that holds a value no
 * node can use and no etcd lease (see the 4-argument acquire).
 */
final class LeaseAcquirer {
    private static final int MAX_CONFLICTS = 50;
    /** flannel's subnetRegex, its unescaped dots included; ASCII digits only, as Go's \d. */
    private static final Pattern FLANNEL_SUBNET_KEY = Pattern.compile("([0-9]+\\.[0-9]+.[0-9]+.[0-9]+)-([0-9]+)");
    /** How long a successor retries adopting its predecessor's lease while etcd does not answer. */
    static final Duration ADOPT_RETRY = Duration.ofSeconds(30);

    private final EtcdCalls calls;
    private final String subnetsPrefix;
    private final Duration leaseTtl;
    private final Supplier<Backoff> backoffs;
    private final RandomGenerator random;
    /** What every value we write says of us; changed by {@link #backendData(BackendData)} (a key rotation). */
    private volatile BackendData backendData;

    /** @param backendData what the lease values we write say of us (BackendData). */
    LeaseAcquirer(final EtcdCalls calls, final String subnetsPrefix, final Duration leaseTtl,
        final Supplier<Backoff> backoffs, final RandomGenerator random, final BackendData backendData) {
        this.backendData = backendData;
        this.calls = calls;
        this.subnetsPrefix = subnetsPrefix;
        this.leaseTtl = leaseTtl;
        this.backoffs = backoffs;
        this.random = random;
    }

    BackendData backendData() {
        return backendData;
    }

    /** What the values written from now on say of us. */
    void backendData(final BackendData newBackendData) {
        backendData = newBackendData;
    }

    /**
     * @throws IOException when etcd refuses (permissions), when no subnet is free, or after many lost races.
     */
    OwnLease acquire(final NetworkConfig network, final int publicIp, final Ipv4Prefix previousSubnet)
        throws IOException, InterruptedException {
        return acquire(network, publicIp, previousSubnet, null);
    }

    /**
     * Acquires again while this process holds {@code held}: as {@link #acquire(NetworkConfig, int, Ipv4Prefix)}, but
     * when no lease carries our PublicIP, the key of the subnet we hold is ours by name, and whatever was written over
     * it (garbage, another PublicIP) is replaced with our lease: flannel0, cni0 and the pods' addresses are in that
     * subnet, and taking another would strand them. Unless another etcd lease holds the key: then another node created
     * it after ours was gone, as flannel allocates, and its pods would be the stranded ones.
     */
    OwnLease acquire(final NetworkConfig network, final int publicIp, final Ipv4Prefix previousSubnet,
        final OwnLease held) throws IOException, InterruptedException {
        final Backoff backoff = backoffs.get();
        int conflicts = 0;
        while (true) {
            try {
                final OwnLease own = tryAcquire(network, publicIp, previousSubnet, held);
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

    /**
     * Adopts the etcd lease of the weftd we take over from, as it is: our key must carry our PublicIP and be attached
     * to {@code leaseId}, and the lease must be alive (renewed here once, which also gives its TTL). Nothing is
     * written, so the other nodes see no change, unless our BackendData differs (a new authentication epoch): then
     * the value is replaced on the same etcd lease. Retries while etcd does not answer, for at most
     * {@link #ADOPT_RETRY}.
     *
     * @throws IOException naming why the lease cannot be adopted. The hand-over must then fail rather than acquire as
     *                     usual: that moves our key to another etcd lease under the running weftd, whose keeper takes
     *                     it back, and both go on taking it from each other.
     */
    OwnLease adopt(final NetworkConfig network, final int publicIp, final long leaseId)
        throws IOException, InterruptedException {
        final Backoff backoff = backoffs.get();
        final long deadlineNs = System.nanoTime() + ADOPT_RETRY.toNanos();
        while (true) {
            try {
                final OwnLease own = tryAdopt(network, publicIp, leaseId);
                Log.info("adopted the lease of the weftd we took over from: " + own);
                return own;
            } catch (final RetryableEtcdException e) {
                if (System.nanoTime() - deadlineNs > 0) {
                    throw new IOException("cannot adopt the etcd lease " + Long.toHexString(leaseId) +
                        " of the running weftd: " + e.getMessage(), e);
                }
                backoff.sleep();
            }
        }
    }

    private OwnLease tryAdopt(final NetworkConfig network, final int publicIp, final long leaseId)
        throws IOException, InterruptedException {
        final String what = "the etcd lease " + Long.toHexString(leaseId) + " of the running weftd";
        for (final EtcdCalls.Entry entry : calls.list(subnetsPrefix).entries()) {
            if (entry.leaseId() != leaseId) {
                continue;
            }
            final Lease lease;
            try {
                lease = LeaseCodec.decode(entry.key().substring(subnetsPrefix.length()), entry.value(), network);
            } catch (final IllegalArgumentException e) {
                throw new IOException("cannot adopt " + what + ": its key " + entry.key() + " is unreadable (" +
                    e.getMessage() + ")", e);
            }
            if (lease.publicIp() != publicIp) {
                throw new IOException("cannot adopt " + what + ": it carries PublicIP " +
                    Ipv4Addresses.format(lease.publicIp()) + ", we have " + Ipv4Addresses.format(publicIp) +
                    " (changed --public-ip or --iface? stop the running weftd first)");
            }
            final long ttl = calls.keepAliveOnce(leaseId);
            if (ttl <= 0) {
                throw new IOException("cannot adopt " + what + ": it has expired");
            }
            if (lease.backendData().equals(backendData)) {
                return new OwnLease(lease, leaseId, ttl, System.nanoTime());
            }
            // What we say of ourselves changed (with --auth, every start has a new epoch): same key, same etcd lease,
            // our value, so the other nodes learn our new traffic keys.
            if (!calls.replaceIfUnchanged(entry.key(), LeaseCodec.encodeValue(publicIp, backendData), leaseId,
                entry.modRevision())) {
                throw new IOException("cannot adopt " + what + ": its value changed while we adopted it");
            }
            return new OwnLease(new Lease(lease.subnet(), publicIp, backendData), leaseId, ttl, System.nanoTime());
        }
        throw new IOException("cannot adopt " + what + ": no key is attached to it (the running weftd is acquiring"
            + " its lease again?)");
    }

    /** One attempt; null when another writer got in between our read and our write. */
    private OwnLease tryAcquire(final NetworkConfig network, final int publicIp, final Ipv4Prefix previousSubnet,
        final OwnLease held) throws IOException, InterruptedException {
        final String prefix = subnetsPrefix;
        final EtcdCalls.Listing listing = calls.list(prefix);
        final List<Ipv4Prefix> taken = new ArrayList<>(listing.entries().size());
        final String heldKey = held == null ? null : prefix + held.lease().keyName();
        final String previousKey = previousSubnet == null ? null :
            prefix + new Lease(previousSubnet, publicIp).keyName();
        EtcdCalls.Entry ours = null;
        Lease ourLease = null;
        EtcdCalls.Entry heldEntry = null;
        EtcdCalls.Entry unusablePrevious = null;
        for (final EtcdCalls.Entry entry : listing.entries()) {
            final Lease lease = decode(entry, prefix, network, taken);
            if (lease == null && entry.leaseId() == 0 && entry.key().equals(previousKey)) {
                unusablePrevious = entry;
            }
            // Our value put over our key without our etcd lease is no reservation: it is written back, attached.
            final boolean detached = entry.key().equals(heldKey) && entry.leaseId() == 0 && !held.isReservation();
            if (lease != null && lease.publicIp() == publicIp && !detached && (ours == null || entry.leaseId() == 0)) {
                // A reservation for us wins over a leased key for us: the operator pinned it.
                ours = entry;
                ourLease = lease;
            }
            if (entry.key().equals(heldKey)) {
                heldEntry = entry;
            }
        }
        if (ours != null) {
            if (ours.leaseId() != 0) {
                return takeOver(ours, ourLease);
            }
            return backendData.hasKey() && !backendData.equals(ourLease.backendData())
                ? advertiseOnReservation(ours, ourLease) : reservation(ourLease);
        }
        if (heldEntry != null && (heldEntry.leaseId() == 0 || heldEntry.leaseId() == held.leaseId())) {
            return writeBack(heldEntry, held.lease(), held.isReservation(), "flannel0, cni0 and this node's pods use");
        }
        if (held == null && unusablePrevious != null && SubnetAllocator.fits(network, previousSubnet)) {
            // Written over while weftd was down: a value no node can use, on no etcd lease, names no owner.
            return writeBack(unusablePrevious, new Lease(previousSubnet, publicIp), false,
                "cni0 and this node's pods (as the subnet file says) use");
        }
        final Ipv4Prefix chosen = SubnetAllocator.choose(network, taken, previousSubnet, random);
        if (chosen == null) {
            throw new IOException("no free subnet under " + prefix + ": every /" + network.subnetLength() +
                " from SubnetMin " + Ipv4Addresses.format(network.subnetMin()) + " to SubnetMax " +
                Ipv4Addresses.format(network.subnetMax()) + " of Network " + network.network() + " is leased");
        }
        final Lease lease = new Lease(chosen, publicIp, backendData);
        final EtcdCalls.Grant grant = calls.grant(leaseTtl);
        final boolean created;
        try {
            created = calls.createIfAbsent(prefix + lease.keyName(),
                LeaseCodec.encodeValue(publicIp, backendData), grant.leaseId());
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

    /**
     * A reservation stays without an etcd lease, as the operator wrote it, but with --auth it must carry our key and
     * this start's epoch, or the other nodes could not open what we seal. Null when someone wrote it meanwhile.
     */
    private OwnLease advertiseOnReservation(final EtcdCalls.Entry entry, final Lease lease)
        throws IOException, InterruptedException {
        final boolean replaced = calls.replaceIfUnchanged(entry.key(),
            LeaseCodec.encodeValue(lease.publicIp(), backendData), 0, entry.modRevision());
        return replaced ? reservation(new Lease(lease.subnet(), lease.publicIp(), backendData)) : null;
    }

    private static OwnLease reservation(final Lease lease) {
        final OwnLease own = OwnLease.reservation(lease);
        Log.info("using the reservation for our PublicIP: " + own);
        return own;
    }

    /**
     * Writes our lease over what was written on the key of our subnet (see the 4-argument acquire): as a reservation
     * again when it was one, else on a fresh etcd lease. Null when someone wrote the key again meanwhile.
     */
    private OwnLease writeBack(final EtcdCalls.Entry entry, final Lease lease, final boolean reservation,
        final String users) throws IOException, InterruptedException {
        Log.warn("our key " + entry.key() + " holds " + abbreviate(entry.value()) +
            (entry.leaseId() == 0 ? " without an etcd lease" : "") + ", written over our lease: writing our lease " +
            "back, since " + users + " " + lease.subnet());
        if (reservation) {
            final boolean replaced = calls.replaceIfUnchanged(entry.key(),
                LeaseCodec.encodeValue(lease.publicIp(), backendData), 0, entry.modRevision());
            return replaced ? OwnLease.reservation(new Lease(lease.subnet(), lease.publicIp(), backendData)) :
                null;
        }
        return takeOver(entry, lease);
    }

    private static String abbreviate(final String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }

    /** Moves our existing key to a fresh etcd lease, as flannel's updateSubnet, unless someone changed it meanwhile. */
    private OwnLease takeOver(final EtcdCalls.Entry entry, final Lease lease) throws IOException, InterruptedException {
        final EtcdCalls.Grant grant = calls.grant(leaseTtl);
        final boolean replaced;
        try {
            replaced = calls.replaceIfUnchanged(entry.key(),
                LeaseCodec.encodeValue(lease.publicIp(), backendData), grant.leaseId(), entry.modRevision());
        } catch (final IOException e) {
            calls.revokeQuietly(grant.leaseId());
            throw e;
        }
        if (!replaced) {
            calls.revokeQuietly(grant.leaseId());
            return null;
        }
        final OwnLease own = new OwnLease(new Lease(lease.subnet(), lease.publicIp(), backendData),
            grant.leaseId(), grant.ttlSeconds(), System.nanoTime());
        Log.info("reusing the lease with our PublicIP: " + own);
        return own;
    }

    /**
     * The entry's lease, or null. Every key that names a subnet is taken, even with a value we cannot read, and so is
     * every key that flanneld reads as one although weft refuses it (such as 10.244.1.0-024): flanneld nodes route
     * that subnet to it, so creating its canonical key would give the subnet two owners.
     */
    private static Lease decode(final EtcdCalls.Entry entry, final String prefix, final NetworkConfig network,
        final List<Ipv4Prefix> taken) {
        final String keyName = entry.key().substring(prefix.length());
        final Ipv4Prefix named = subnetAsFlannelReadsIt(keyName);
        if (named != null) {
            taken.add(named);
        }
        try {
            return LeaseCodec.decode(keyName, entry.value(), network);
        } catch (final IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * flannel's ParseSubnetKey: the first match of {@code (\d+\.\d+.\d+.\d+)-(\d+)} anywhere in the name, an address
     * as Go's net.ParseIP reads it and a length that strconv.ParseUint(s, 10, 5) takes; host bits masked here.
     */
    static Ipv4Prefix subnetAsFlannelReadsIt(final String keyName) {
        final Matcher matcher = FLANNEL_SUBNET_KEY.matcher(keyName);
        if (!matcher.find()) {
            return null;
        }
        try {
            final int length = Integer.parseInt(matcher.group(2));
            if (length > 31) {
                return null;
            }
            return new Ipv4Prefix(Ipv4Addresses.parse(matcher.group(1)) & Ipv4Addresses.mask(length), length);
        } catch (final IllegalArgumentException e) {
            return null;
        }
    }
}
