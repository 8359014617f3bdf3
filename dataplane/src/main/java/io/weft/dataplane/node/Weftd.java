package io.weft.dataplane.node;

import io.weft.registry.Log;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/**
 * weftd's entry point: parse flags, set up, forward until SIGTERM or SIGINT, then clean up. Setup errors print one
 * line and exit 1; flag errors exit 2. Once forwarding, it exits 1 when flannel0 cannot be made again after it was
 * deleted, when a lane dies of an Error, or when its main loop fails: a restart is then the way back.
 */
public final class Weftd {
    /** How often drops are logged and flannel0 and its route are checked for having gone under the lanes. */
    private static final long MAIN_LOOP_INTERVAL_MS = 1000;

    private Weftd() {
    }

    public static void main(final String[] args) {
        if (WeftdConfig.wantsHelp(args)) {
            System.out.print(WeftdConfig.usage());
            return;
        }
        final WeftdConfig config;
        try {
            config = WeftdConfig.parse(args);
        } catch (final WeftdConfig.UsageException e) {
            System.err.println("weftd: " + e.getMessage() + " (see weftd --help)");
            System.exit(2);
            return;
        }
        final Daemon daemon;
        try {
            daemon = Daemon.start(config);
        } catch (final InterruptedException e) {
            System.err.println("weftd: interrupted during setup");
            System.exit(1);
            return;
        } catch (final Exception e) {
            System.err.println("weftd: " + e.getMessage());
            System.exit(1);
            return;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Log.info("stopping");
            daemon.close();
            Log.info("stopped: TUN device and route removed, lease kept");
            stopped.countDown();
        }, "shutdown"));
        try {
            while (stopped.getCount() > 0) {
                daemon.dropReporter().report();
                daemon.superviseLanes();
                daemon.addRouteIfGone();
                Thread.sleep(MAIN_LOOP_INTERVAL_MS);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final IOException e) {
            System.err.println("weftd: " + e.getMessage());
            System.exit(1);
        } catch (final RuntimeException | Error e) {
            // Without this loop nothing reports drops or repairs flannel0 any more: better a restart than that.
            System.err.println("weftd: internal error in the main loop, exiting: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }
}
