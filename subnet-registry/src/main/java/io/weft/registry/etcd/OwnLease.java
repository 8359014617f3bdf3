package io.weft.registry.etcd;

import java.util.concurrent.TimeUnit;

import io.weft.registry.Lease;

/**
 * Our lease and the etcd lease that keeps its key alive: {@code leaseId} 0 is a reservation (a key an operator
 * wrote without a lease), which is never renewed and never expires.
 */
record OwnLease(Lease lease, long leaseId, long ttlSeconds, long renewedAtNanos) {
    static OwnLease reservation(final Lease lease) {
        return new OwnLease(lease, 0, 0, System.nanoTime());
    }

    boolean isReservation() {
        return leaseId == 0;
    }

    long expiresAtNanos() {
        return renewedAtNanos + TimeUnit.SECONDS.toNanos(ttlSeconds);
    }

    OwnLease renewed(final long newTtlSeconds, final long atNanos) {
        return new OwnLease(lease, leaseId, newTtlSeconds, atNanos);
    }

    @Override
    public String toString() {
        return lease + (isReservation() ? " (reservation)" : " (etcd lease " + Long.toHexString(leaseId) + ", TTL " +
            ttlSeconds + " s)");
    }
}
