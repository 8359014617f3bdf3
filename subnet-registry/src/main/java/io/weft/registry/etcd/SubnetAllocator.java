package io.weft.registry.etcd;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

import io.weft.registry.NetworkConfig;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;

/**
 * flannel's choice of a new subnet: the previous one if it is still free and fits the config, else a random one among
 * the first 100 free subnets from SubnetMin to SubnetMax. Random, so that nodes starting together rarely collide;
 * among the first 100, so that the network fills from the bottom. Pure logic.
 */
final class SubnetAllocator {
    static final int CANDIDATES = 100;

    private SubnetAllocator() {
    }

    /** The subnet to try to create, or null when every subnet in [SubnetMin, SubnetMax] is taken. */
    static Ipv4Prefix choose(final NetworkConfig config, final Collection<Ipv4Prefix> taken,
        final Ipv4Prefix previousSubnet, final RandomGenerator random) {
        final Taken index = new Taken(config.subnetLength(), taken);
        if (previousSubnet != null && fits(config, previousSubnet) && index.isFree(previousSubnet)) {
            return previousSubnet;
        }
        final List<Ipv4Prefix> free = firstFree(config, index, CANDIDATES);
        return free.isEmpty() ? null : free.get(random.nextInt(free.size()));
    }

    /** Up to {@code limit} free subnets in address order. */
    static List<Ipv4Prefix> firstFree(final NetworkConfig config, final Collection<Ipv4Prefix> taken, final int limit) {
        return firstFree(config, new Taken(config.subnetLength(), taken), limit);
    }

    private static List<Ipv4Prefix> firstFree(final NetworkConfig config, final Taken taken, final int limit) {
        final List<Ipv4Prefix> free = new ArrayList<>(limit);
        final long step = 1L << (32 - config.subnetLength());
        final long last = Integer.toUnsignedLong(config.subnetMax());
        // Addresses are unsigned; long arithmetic keeps 255.255.255.0 + 256 from wrapping to 0.0.0.0.
        for (long address = Integer.toUnsignedLong(config.subnetMin()); address <= last && free.size() < limit;
            address += step) {
            final Ipv4Prefix candidate = new Ipv4Prefix((int)address, config.subnetLength());
            if (taken.isFree(candidate)) {
                free.add(candidate);
            }
        }
        return free;
    }

    /** Within [SubnetMin, SubnetMax] with the configured length, as flannel's isSubnetConfigCompat. */
    static boolean fits(final NetworkConfig config, final Ipv4Prefix subnet) {
        return config.holds(subnet) &&
            Integer.compareUnsigned(subnet.address(), config.subnetMin()) >= 0 &&
            Integer.compareUnsigned(subnet.address(), config.subnetMax()) <= 0;
    }

    /** Taken subnets of the configured length in a hash set (thousands of nodes), any other length in a list. */
    private static final class Taken {
        private final int subnetLength;
        private final Set<Integer> sameLength = new HashSet<>();
        private final List<Ipv4Prefix> otherLengths = new ArrayList<>();

        Taken(final int subnetLength, final Collection<Ipv4Prefix> taken) {
            this.subnetLength = subnetLength;
            for (final Ipv4Prefix prefix : taken) {
                if (prefix.length() == subnetLength) {
                    sameLength.add(prefix.address());
                } else {
                    otherLengths.add(prefix);
                }
            }
        }

        boolean isFree(final Ipv4Prefix candidate) {
            if (candidate.length() == subnetLength && sameLength.contains(candidate.address())) {
                return false;
            }
            for (final Ipv4Prefix other : otherLengths) {
                if (overlaps(candidate, other)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Two prefixes overlap when the shorter one contains the other's address. */
    static boolean overlaps(final Ipv4Prefix a, final Ipv4Prefix b) {
        final int mask = Ipv4Addresses.mask(Math.min(a.length(), b.length()));
        return (a.address() & mask) == (b.address() & mask);
    }
}
