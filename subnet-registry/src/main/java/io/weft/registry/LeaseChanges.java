package io.weft.registry;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * What one delivery changed in the lease set: the leases gone from it and those new in it (a lease written over
 * appears in both, its old value gone and its new one new), and the whole set after the change. A listener that
 * keeps its own state applies the change alone, so that a change costs what it changes rather than what the cluster
 * holds; the whole set is sorted only for a listener that asks for it.
 */
public final class LeaseChanges {
    private final List<Lease> gone;
    private final List<Lease> added;
    private final Collection<Lease> all;
    private final int size;
    private List<Lease> sorted;

    /**
     * @param all the set after the change, as the registry holds it: read during the delivery only (see {@link #all}).
     */
    public LeaseChanges(final List<Lease> gone, final List<Lease> added, final Collection<Lease> all) {
        this.gone = List.copyOf(gone);
        this.added = List.copyOf(added);
        this.all = all;
        this.size = all.size();
    }

    /** The leases no longer in the set, each as it was delivered before. */
    public List<Lease> gone() {
        return gone;
    }

    /** The leases new in the set. */
    public List<Lease> added() {
        return added;
    }

    /** How many leases the set holds after the change. */
    public int size() {
        return size;
    }

    /** The whole set after the change, sorted by subnet as {@link LeaseListener#onLeases} has it: during the call. */
    public List<Lease> all() {
        if (sorted == null) {
            sorted = bySubnet(all);
        }
        return sorted;
    }

    /**
     * The leases in ascending subnet order (unsigned), so that every delivery of the same leases is the same list.
     * Sorted as primitives: with thousands of leases, a comparator's sort was most of a delivery.
     */
    public static List<Lease> bySubnet(final Collection<Lease> unordered) {
        final Lease[] all = unordered.toArray(new Lease[0]);
        final long[] order = new long[all.length];
        for (int i = 0; i < all.length; i++) {
            order[i] = (long)(all[i].subnet().address() ^ Integer.MIN_VALUE) << 32 | i;
        }
        Arrays.sort(order);
        final Lease[] sortedLeases = new Lease[all.length];
        for (int i = 0; i < order.length; i++) {
            sortedLeases[i] = all[(int)order[i]];
        }
        return List.of(sortedLeases);
    }

    @Override
    public String toString() {
        return "gone " + gone + ", added " + added + ", " + all.size() + " in all";
    }
}
