package io.weft.dataplane.node;

import io.weft.log.Log;
import io.weft.routing.Ipv4Prefix;
import io.weft.tun.NativeException;
import io.weft.tun.Niceness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * One iptables chain of weft's own, kept as flanneld keeps its chains: the rules installed with the iptables command
 * (whichever backend the node's iptables uses, as flannel's go-iptables does), the chain hooked into a built-in one,
 * checked every {@code --iptables-resync} seconds (5, as flanneld) and put back if another tool flushed them. A stop
 * leaves them in place, so the node keeps working until the next weftd takes them over; {@link #remove} (weftd
 * --cleanup) deletes them. {@link IpMasquerade} and {@link ForwardRules} say which rules.
 */
final class IptablesChain implements AutoCloseable {
    /** What a chain is: where it lives and hooks in, and its rules for a Network and our subnet. */
    record Spec(String flag, String table, String chain, String hook, String comment, boolean hookFirst,
        BiFunction<Ipv4Prefix, Ipv4Prefix, List<List<String>>> rules) {
        /** iptables arguments, after -C, -A or -D, of the rule jumping from the hook to the chain. */
        List<String> jump() {
            return List.of(hook, "-m", "comment", "--comment", comment, "-j", chain);
        }
    }

    private static final long COMMAND_TIMEOUT_S = 30;
    /**
     * How long iptables waits for the xtables lock another tool holds. Bounded: a bare -w waits for ever, and the
     * wait happens before iptables prints anything, so {@link #COMMAND_TIMEOUT_S} (applied once its output has ended)
     * could not cut it short; at shutdown, a chain left behind is better than a stop that never ends.
     */
    private static final String LOCK_WAIT_S = "5";

    private final Spec spec;
    /** Written again when the Network changes; read and written on the checker's thread once installed. */
    private volatile List<List<String>> rules;
    /**
     * {@code iptables -L CHAIN -n} as it was right after the rules were written: the rules and, in its first line,
     * how many rules jump to the chain. A check compares one such listing with it instead of running iptables -C once
     * per rule as flanneld does: every process started takes the node's core for milliseconds, while a lane sharing
     * that core waits (measured in docs/interop-with-flannel.md).
     */
    private String written;
    private final ScheduledExecutorService checker;

    private IptablesChain(final Spec spec, final List<List<String>> rules) {
        this.spec = spec;
        this.rules = rules;
        this.checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final Thread thread = new Thread(() -> {
                atLowestPriority(spec);
                runnable.run();
            }, "weft-" + spec.flag().substring(2));
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * The checks and the iptables processes they start run at the lowest priority: a check's processes hold a core for
     * milliseconds, and a lane on that core can wait for them (one of the causes of ping's tail,
     * docs/idle-and-latency.md). At nice 19 they get little of a core only while something else wants it.
     */
    private static void atLowestPriority(final Spec spec) {
        try {
            Niceness.setForCallingThread(Niceness.LOWEST);
        } catch (final NativeException | IllegalStateException e) {
            Log.warn(spec.flag() + ": the checks run at normal priority: " + e.getMessage());
        }
    }

    /**
     * The iptables command lines that set these rules up where they do not exist yet, without a weftd to watch them:
     * for the benchmark's kernel dataplanes, which get flanneld's rules as weft's nodes do.
     */
    static List<List<String>> commandsForANewNode(final Spec spec, final Ipv4Prefix network,
        final Ipv4Prefix subnet) {
        final List<List<String>> commands = new ArrayList<>();
        commands.add(List.of(iptablesCommand(spec, "-N", spec.chain())));
        for (final List<String> rule : spec.rules().apply(network, subnet)) {
            commands.add(List.of(iptablesCommand(spec, appendToChain(spec, rule))));
        }
        commands.add(List.of(iptablesCommand(spec, hook(spec))));
        return commands;
    }

    /**
     * Replaces whatever an earlier run left in the chain, then hooks the chain into its built-in one.
     *
     * @param failureStops true: a failure to write the rules is thrown; false: it is logged and every check tries
     *                     again, as flanneld does for all its rules (for a flag on by default, which must not stop a
     *                     node without iptables).
     */
    static IptablesChain install(final Spec spec, final Ipv4Prefix network, final Ipv4Prefix subnet,
        final int resyncSeconds, final boolean failureStops) throws IOException {
        final IptablesChain chain = new IptablesChain(spec, spec.rules().apply(network, subnet));
        try {
            chain.writeRules();
            Log.info(spec.flag() + ": " + spec.table() + " chain " + spec.chain() + " set up for " + network);
        } catch (final IOException e) {
            if (failureStops) {
                chain.close();
                throw e;
            }
            Log.warn(spec.flag() + ": cannot write the " + spec.table() + " rules: " + e.getMessage() +
                "; trying again every " + resyncSeconds + " s");
        }
        chain.checker.scheduleWithFixedDelay(chain::repairIfGone, resyncSeconds, resyncSeconds, TimeUnit.SECONDS);
        return chain;
    }

    /**
     * The network config's Network changed while weftd runs: the rules are written again for it, on the checker's
     * thread (so never at the same time as a check); if that fails, the next check writes them.
     */
    void network(final Ipv4Prefix network, final Ipv4Prefix subnet) {
        try {
            checker.execute(() -> {
                rules = spec.rules().apply(network, subnet);
                try {
                    writeRules();
                    Log.info(spec.flag() + ": " + spec.table() + " chain " + spec.chain() + " now set up for " +
                        network);
                } catch (final IOException e) {
                    written = null;
                    Log.warn(spec.flag() + ": cannot write the rules for " + network + ": " + e.getMessage() +
                        "; trying again at the next check");
                }
            });
        } catch (final RejectedExecutionException e) {
            // Closed: the chain is gone.
        }
    }

    private void writeRules() throws IOException {
        if (alreadyInPlace()) {
            // Left by the weftd before us: flushing and writing again would leave new connections without the
            // rules for a moment.
            written = listing(spec, false);
            Log.info(spec.flag() + ": the " + spec.table() + " rules in " + spec.chain() +
                " are in place already: kept as they are");
            return;
        }
        if (!iptables(spec, true, "-N", spec.chain())) {
            iptables(spec, false, "-F", spec.chain());
        }
        for (final List<String> rule : rules) {
            iptables(spec, false, appendToChain(spec, rule));
        }
        if (!iptables(spec, true, concat(List.of("-C"), spec.jump()))) {
            iptables(spec, false, hook(spec));
        }
        written = listing(spec, false);
    }

    /** True when the chain holds exactly our rules, in order, and its hook jumps to it. */
    private boolean alreadyInPlace() throws IOException {
        final String chain = run(spec, true, "-S", spec.chain());
        if (chain == null || !iptables(spec, true, concat(List.of("-C"), spec.jump()))) {
            return false;
        }
        final List<String> expected = new ArrayList<>();
        expected.add("-N " + spec.chain());
        for (final List<String> rule : rules) {
            expected.add(String.join(" ", appendToChain(spec, rule)));
        }
        return chain.strip().lines().map(String::strip).toList().equals(expected);
    }

    /** {@code iptables -L CHAIN -n}; with {@code mayFail}, null when the chain is gone. */
    private static String listing(final Spec spec, final boolean mayFail) throws IOException {
        return run(spec, mayFail, "-L", spec.chain(), "-n");
    }

    /** iptables arguments that append {@code rule} to the chain. */
    private static String[] appendToChain(final Spec spec, final List<String> rule) {
        return concat(List.of("-A", spec.chain()), rule);
    }

    /** iptables arguments that hook the chain into its built-in one: first, or appended as flanneld's FORWARD jump. */
    private static String[] hook(final Spec spec) {
        final List<String> jump = spec.jump();
        return spec.hookFirst() ? concat(List.of("-I", spec.hook(), "1"), jump.subList(1, jump.size()))
            : concat(List.of("-A"), jump);
    }

    /** Writes the chain again when its rules or the rules jumping to it are not as written, or never were. */
    private void repairIfGone() {
        try {
            if (written == null) {
                writeRules();
                Log.info(spec.flag() + ": " + spec.table() + " chain " + spec.chain() + " set up at last");
            } else if (!Objects.equals(listing(spec, true), written)) {
                Log.warn(spec.flag() + ": the " + spec.table() + " rules of " + spec.chain() +
                    " were changed by someone else; writing them again");
                writeRules();
            }
        } catch (final IOException e) {
            Log.warn(spec.flag() + ": cannot check or write the " + spec.table() + " rules: " + e.getMessage());
        }
    }

    /** Stops checking the rules, which stay: the next weftd, or {@link #remove}, takes them over. */
    @Override
    public void close() {
        checker.shutdownNow();
        try {
            checker.awaitTermination(COMMAND_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Unhooks and deletes the chain, if there; a failure is logged, not thrown: the cleanup goes on. */
    static void remove(final Spec spec) {
        try {
            if (listing(spec, true) == null) {
                return;
            }
            while (iptables(spec, true, concat(List.of("-D"), spec.jump()))) {
                // An earlier run may have hooked the chain more than once.
            }
            iptables(spec, false, "-F", spec.chain());
            iptables(spec, false, "-X", spec.chain());
            Log.info(spec.flag() + ": removed the " + spec.table() + " chain " + spec.chain());
        } catch (final IOException e) {
            Log.warn("cannot remove the " + spec.flag() + " chain " + spec.chain() + ": " + e.getMessage());
        }
    }

    private static String[] concat(final List<String> head, final List<String> tail) {
        final List<String> args = new ArrayList<>(head);
        args.addAll(tail);
        return args.toArray(String[]::new);
    }

    /** {@code iptables -w 5 -t TABLE ARGS}: -w waits for the xtables lock that other tools may hold. */
    private static String[] iptablesCommand(final Spec spec, final String... args) {
        return concat(List.of("iptables", "-w", LOCK_WAIT_S, "-t", spec.table()), List.of(args));
    }

    /**
     * Runs {@code iptables -w 5 -t TABLE ARGS}.
     *
     * @param mayFail true: a non-zero exit (rule or chain absent, chain present) is an answer, false is returned.
     * @throws IOException when iptables cannot run, or fails where it must not, with its own words.
     */
    private static boolean iptables(final Spec spec, final boolean mayFail, final String... args) throws IOException {
        return run(spec, mayFail, args) != null;
    }

    /** As {@link #iptables}, returning what iptables printed, or null for a non-zero exit that {@code mayFail}. */
    private static String run(final Spec spec, final boolean mayFail, final String... args) throws IOException {
        final List<String> command = List.of(iptablesCommand(spec, args));
        final Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (final IOException e) {
            throw new IOException(spec.flag() + " needs the iptables command: " + e.getMessage(), e);
        }
        try {
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT_S + " s");
            }
            if (process.exitValue() == 0) {
                return output;
            }
            if (mayFail) {
                return null;
            }
            throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted running " + String.join(" ", command), e);
        }
    }
}
