package io.weft.dataplane.node;

import io.weft.log.Log;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * weftd's entry point: parse flags, set up, forward until SIGTERM or SIGINT, then clean up. Flag errors exit 2.
 * Setup errors (Errors such as running out of direct memory included) close what setup opened, print one line and
 * exit 1.
 * Once forwarding, it exits 1 when flannel0 cannot be made again after it was deleted, when a lane dies of an Error,
 * when the registry takes our subnet away, or when its main loop fails: a restart is then the way back.
 * The stop is registered before setup, so a SIGTERM at any point closes what this process holds, and it is bounded in
 * time; flannel0, its routes and the --ip-masq rules stay for the next weftd ({@code --cleanup} removes them).
 */
public final class Weftd {
    /** How often drops are logged and flannel0 and its route are checked for having gone under the lanes. */
    private static final long MAIN_LOOP_INTERVAL_MS = 1000;
    /**
     * The most a stop may take before the process ends anyway: well inside a pod's termination grace period, after
     * which the kubelet's SIGKILL would leave the --ip-masq chain and flannel0 behind unannounced.
     */
    static final long STOP_BUDGET_MS = TimeUnit.SECONDS.toMillis(10);

    private Weftd() {
    }

    public static void main(final String[] args) {
        if (WeftdConfig.wantsHelp(args)) {
            System.out.print(WeftdConfig.usage());
            return;
        }
        if (WeftdConfig.wantsVersion(args)) {
            System.out.println(WeftdVersion.VERSION);
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
        Log.info("weftd " + WeftdVersion.VERSION + " starting");
        if (config.cleanup()) {
            System.exit(Cleanup.run(config) ? 0 : 1);
            return;
        }
        final Daemon daemon = new Daemon(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(daemon), "shutdown"));
        try {
            daemon.start();
        } catch (final Daemon.StoppedException e) {
            return; // SIGTERM during setup: the shutdown hook closes what it opened
        } catch (final InterruptedException e) {
            System.err.println("weftd: interrupted during setup");
            System.exit(1);
        } catch (final Exception e) {
            System.err.println("weftd: " + e.getMessage());
            System.exit(1);
        } catch (final Error e) {
            System.err.println("weftd: internal error during setup, exiting: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        try {
            while (!daemon.isClosed()) {
                daemon.dropReporter().report();
                daemon.superviseLanes();
                daemon.addRouteIfGone();
                daemon.tendJitThreads();
                Thread.sleep(MAIN_LOOP_INTERVAL_MS);
            }
            if (daemon.awaitHandedOver()) {
                afterHandOver(config.exitAfterHandover());
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

    /**
     * A successor forwards on our queues and sockets: exit 0, or, where a supervisor would restart an exited process
     * (a DaemonSet's pod: the old version would take the node back), hold nothing and wait for the stop.
     */
    private static void afterHandOver(final boolean exit) throws InterruptedException {
        if (exit) {
            Log.info("handed over: exiting");
            System.exit(0);
        }
        Log.info("handed over: idle until stopped (--exit-after-handover=false)");
        Thread.sleep(Long.MAX_VALUE);
    }

    /** The shutdown hook: closes what the daemon holds, giving up after {@link #STOP_BUDGET_MS}. */
    private static void stop(final Daemon daemon) {
        if (daemon.isClosed()) {
            return; // a failed setup undid itself and said why
        }
        final Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(STOP_BUDGET_MS);
            } catch (final InterruptedException e) {
                return;
            }
            Log.warn("stopping took longer than " + STOP_BUDGET_MS + " ms: exiting without finishing it");
            Runtime.getRuntime().halt(1);
        }, "shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Log.info("stopping");
        final long startNs = System.nanoTime();
        daemon.close();
        watchdog.interrupt();
        Log.info("stopped: " + daemon.tunName() + ", its routes, --ip-masq rules and the lease kept (in "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms)");
    }
}
