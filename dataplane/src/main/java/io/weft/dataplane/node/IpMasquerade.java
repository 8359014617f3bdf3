package io.weft.dataplane.node;

import io.weft.log.Log;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * flanneld's {@code --ip-masq}: pods reach the world from the node's address while pod-to-pod traffic keeps its
 * source, as four nat POSTROUTING rules in a chain of weft's own, installed with the iptables command (whichever
 * backend the node's iptables uses, as flannel's go-iptables does), checked every {@code --iptables-resync} seconds
 * (5, as flanneld) and put back if another tool flushed them. A stop leaves them in place, so pods' outbound NAT
 * keeps working until the next weftd takes them over; {@link #remove()} (weftd --cleanup) deletes them:
 * <pre>
 * -s NETWORK -d NETWORK                 RETURN       pod to pod: no NAT
 * -s NETWORK ! -d 224.0.0.0/4           MASQUERADE   pod to the world (not multicast)
 * ! -s NETWORK -d SUBNET                RETURN       the world to our pods: no NAT
 * ! -s NETWORK -d NETWORK               MASQUERADE   the host to other nodes' pods, so replies find their way back
 * </pre>
 */
public final class IpMasquerade implements AutoCloseable {
    static final String CHAIN = "WEFT-POSTRTG";
    private static final List<String> JUMP =
        List.of("POSTROUTING", "-m", "comment", "--comment", "weft masquerade", "-j", CHAIN);
    private static final long COMMAND_TIMEOUT_S = 30;
    /**
     * How long iptables waits for the xtables lock another tool holds. Bounded: a bare -w waits for ever, and the
     * wait happens before iptables prints anything, so {@link #COMMAND_TIMEOUT_S} (applied once its output has ended)
     * could not cut it short; at shutdown, a chain left behind is better than a stop that never ends.
     */
    private static final String LOCK_WAIT_S = "5";

    /** Written again when the Network changes; read and written on the checker's thread once installed. */
    private volatile List<List<String>> rules;
    /**
     * {@code iptables -L CHAIN -n} as it was right after the rules were written: the rules and, in its first line,
     * how many rules jump to the chain. A check compares one such listing with it instead of running iptables -C once
     * per rule as flanneld does: every process started takes the node's core for milliseconds, while a lane sharing
     * that core waits (measured in docs/interop-with-flannel.md).
     */
    private String written;
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        final Thread thread = new Thread(runnable, "weft-ip-masq");
        thread.setDaemon(true);
        return thread;
    });

    private IpMasquerade(final List<List<String>> rules) {
        this.rules = rules;
    }

    /** The chain's rules, each as iptables arguments after {@code -A CHAIN}. */
    static List<List<String>> rules(final Ipv4Prefix network, final Ipv4Prefix subnet) {
        final String cluster = network.toString();
        return List.of(
            List.of("-s", cluster, "-d", cluster, "-j", "RETURN"),
            List.of("-s", cluster, "!", "-d", "224.0.0.0/4", "-j", "MASQUERADE", "--random-fully"),
            List.of("!", "-s", cluster, "-d", subnet.toString(), "-j", "RETURN"),
            List.of("!", "-s", cluster, "-d", cluster, "-j", "MASQUERADE", "--random-fully"));
    }

    /**
     * The iptables command lines that set these rules up where they do not exist yet, without a weftd to watch them:
     * for the benchmark's kernel dataplanes, which get flanneld's {@code --ip-masq} rules as weft's nodes do.
     */
    public static List<List<String>> commandsForANewNode(final Ipv4Prefix network, final Ipv4Prefix subnet) {
        final List<List<String>> commands = new ArrayList<>();
        commands.add(List.of(iptablesCommand("-N", CHAIN)));
        for (final List<String> rule : rules(network, subnet)) {
            commands.add(List.of(iptablesCommand(appendToChain(rule))));
        }
        commands.add(List.of(iptablesCommand(hookChainFirst())));
        return commands;
    }

    /** Replaces whatever an earlier run left in the chain, then hooks the chain first into nat POSTROUTING. */
    static IpMasquerade install(final Ipv4Prefix network, final Ipv4Prefix subnet, final int resyncSeconds)
        throws IOException {
        final IpMasquerade masquerade = new IpMasquerade(rules(network, subnet));
        masquerade.writeRules();
        Log.info("--ip-masq: nat chain " + CHAIN + " masquerades " + network + " leaving the cluster");
        masquerade.checker.scheduleWithFixedDelay(masquerade::repairIfGone, resyncSeconds, resyncSeconds,
            TimeUnit.SECONDS);
        return masquerade;
    }

    /**
     * The network config's Network changed while weftd runs: the rules are written again for it, on the checker's
     * thread (so never at the same time as a check); if that fails, the next check writes them.
     */
    void network(final Ipv4Prefix network, final Ipv4Prefix subnet) {
        try {
            checker.execute(() -> {
                rules = rules(network, subnet);
                try {
                    writeRules();
                    Log.info("--ip-masq: nat chain " + CHAIN + " now masquerades " + network + " leaving the cluster");
                } catch (final IOException e) {
                    written = null;
                    Log.warn("--ip-masq: cannot write the rules for " + network + ": " + e.getMessage() +
                        "; trying again at the next check");
                }
            });
        } catch (final RejectedExecutionException e) {
            // Closed: the chain is gone.
        }
    }

    private void writeRules() throws IOException {
        if (alreadyInPlace()) {
            // Left by the weftd before us: flushing and writing again would leave new pod connections un-NATed
            // for a moment.
            written = listing(false);
            Log.info("--ip-masq: the nat rules in " + CHAIN + " are in place already: kept as they are");
            return;
        }
        if (!iptables(true, "-N", CHAIN)) {
            iptables(false, "-F", CHAIN);
        }
        for (final List<String> rule : rules) {
            iptables(false, appendToChain(rule));
        }
        if (!iptables(true, concat(List.of("-C"), JUMP))) {
            iptables(false, hookChainFirst());
        }
        written = listing(false);
    }

    /** True when the chain holds exactly our rules, in order, and POSTROUTING jumps to it. */
    private boolean alreadyInPlace() throws IOException {
        final String chain = run(true, "-S", CHAIN);
        if (chain == null || !iptables(true, concat(List.of("-C"), JUMP))) {
            return false;
        }
        final List<String> expected = new ArrayList<>();
        expected.add("-N " + CHAIN);
        for (final List<String> rule : rules) {
            expected.add(String.join(" ", appendToChain(rule)));
        }
        return chain.strip().lines().map(String::strip).toList().equals(expected);
    }

    /** {@code iptables -L CHAIN -n}; with {@code mayFail}, null when the chain is gone. */
    private static String listing(final boolean mayFail) throws IOException {
        return run(mayFail, "-L", CHAIN, "-n");
    }

    /** iptables arguments that append {@code rule} to the chain. */
    private static String[] appendToChain(final List<String> rule) {
        return concat(List.of("-A", CHAIN), rule);
    }

    /** iptables arguments that insert the jump to the chain first into nat POSTROUTING. */
    private static String[] hookChainFirst() {
        return concat(List.of("-I", "POSTROUTING", "1"), JUMP.subList(1, JUMP.size()));
    }

    /** Writes the chain again when its rules or the rules jumping to it are not as written. */
    private void repairIfGone() {
        try {
            if (!Objects.equals(listing(true), written)) {
                Log.warn("--ip-masq: the nat rules of " + CHAIN + " were changed by someone else; writing them again");
                writeRules();
            }
        } catch (final IOException e) {
            Log.warn("--ip-masq: cannot check the nat rules: " + e.getMessage());
        }
    }

    /** Stops checking the rules, which stay: the next weftd, or {@link #remove()}, takes them over. */
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
    static void remove() {
        try {
            if (listing(true) == null) {
                return;
            }
            while (iptables(true, concat(List.of("-D"), JUMP))) {
                // An earlier run may have hooked the chain more than once.
            }
            iptables(false, "-F", CHAIN);
            iptables(false, "-X", CHAIN);
            Log.info("--ip-masq: removed the nat chain " + CHAIN);
        } catch (final IOException e) {
            Log.warn("cannot remove the --ip-masq chain " + CHAIN + ": " + e.getMessage());
        }
    }

    private static String[] concat(final List<String> head, final List<String> tail) {
        final List<String> args = new ArrayList<>(head);
        args.addAll(tail);
        return args.toArray(String[]::new);
    }

    /** {@code iptables -w 5 -t nat ARGS}: -w waits for the xtables lock that other tools may hold. */
    private static String[] iptablesCommand(final String... args) {
        return concat(List.of("iptables", "-w", LOCK_WAIT_S, "-t", "nat"), List.of(args));
    }

    /**
     * Runs {@code iptables -w 5 -t nat ARGS}.
     *
     * @param mayFail true: a non-zero exit (rule or chain absent, chain present) is an answer, false is returned.
     * @throws IOException when iptables cannot run, or fails where it must not, with its own words.
     */
    private static boolean iptables(final boolean mayFail, final String... args) throws IOException {
        return run(mayFail, args) != null;
    }

    /** As {@link #iptables}, returning what iptables printed, or null for a non-zero exit that {@code mayFail}. */
    private static String run(final boolean mayFail, final String... args) throws IOException {
        final List<String> command = List.of(iptablesCommand(args));
        final Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (final IOException e) {
            throw new IOException("--ip-masq needs the iptables command: " + e.getMessage(), e);
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
