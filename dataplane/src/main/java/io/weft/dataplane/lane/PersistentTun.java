package io.weft.dataplane.lane;

import io.weft.log.Log;
import io.weft.tun.Errno;
import io.weft.tun.NativeException;
import io.weft.tun.Netlink;
import io.weft.tun.TunDevice;

/**
 * The first queue of flannel0, which decides which device the lanes use: the one an earlier weftd left (persistent,
 * with its address and routes) when it is a multi-queue TUN without packet info, else a new one. Either way the
 * device is made persistent, so that it outlives this process and a gap without weftd drops at the device.
 */
final class PersistentTun {
    /** What a device must be for the lanes: TUN frames, one queue per lane, no packet-info header. */
    static final int REQUIRED_FLAGS = TunDevice.IFF_TUN | TunDevice.IFF_MULTI_QUEUE | TunDevice.IFF_NO_PI;

    private PersistentTun() {
    }

    static TunDevice attachOrMake(final String tunName, final int flags, final boolean replaceForeign)
        throws NativeException {
        final boolean existed = exists(tunName);
        TunDevice queue;
        try {
            queue = TunDevice.open(tunName, flags);
        } catch (final NativeException e) {
            if (!replaceForeign || !existed || e.errno() != Errno.EINVAL) {
                throw e;
            }
            // A bridge, a TAP or a single-queue TUN of that name: not ours to attach to.
            replace(tunName, "it is not a multi-queue TUN (" + e.getMessage() + ")");
            queue = TunDevice.open(tunName, flags);
        }
        try {
            final int deviceFlags = queue.flags();
            if ((deviceFlags & REQUIRED_FLAGS) != REQUIRED_FLAGS) {
                queue.close();
                if (!replaceForeign) {
                    throw new IllegalStateException(tunName + " has TUN flags 0x" +
                        Integer.toHexString(deviceFlags) + ", not IFF_TUN|IFF_MULTI_QUEUE|IFF_NO_PI");
                }
                replace(tunName, "its TUN flags are 0x" + Integer.toHexString(deviceFlags));
                queue = TunDevice.open(tunName, flags);
            } else if (existed && (deviceFlags & TunDevice.IFF_PERSIST) != 0) {
                Log.info("attached to the existing " + tunName + " (kept from an earlier weftd)");
            }
            queue.setPersistent(true);
            return queue;
        } catch (final NativeException | RuntimeException e) {
            queue.close();
            throw e;
        }
    }

    private static void replace(final String tunName, final String why) throws NativeException {
        Log.warn(tunName + " exists but " + why + ": deleting it and making it anew");
        try (Netlink netlink = new Netlink()) {
            netlink.deleteLink(Netlink.linkIndex(tunName));
        }
    }

    private static boolean exists(final String tunName) {
        try {
            Netlink.linkIndex(tunName);
            return true;
        } catch (final NativeException e) {
            return false;
        }
    }
}
