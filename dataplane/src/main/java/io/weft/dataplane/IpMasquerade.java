package io.weft.dataplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.weft.registry.Log;
import io.weft.routing.Ipv4Prefix;

/**
 * flanneld's {@code --ip-masq}: pods reach the world from the node's address while pod-to-pod traffic keeps its
 * source, as four nat POSTROUTING rules in a chain of weft's own, installed with the iptables command (whichever
 * backend the node's iptables uses, as flannel's go-iptables does) and removed on shutdown:
 * <pre>
 * -s NETWORK -d NETWORK                 RETURN       pod to pod: no NAT
 * -s NETWORK ! -d 224.0.0.0/4           MASQUERADE   pod to the world (not multicast)
 * ! -s NETWORK -d SUBNET                RETURN       the world to our pods: no NAT
 * ! -s NETWORK -d NETWORK               MASQUERADE   the host to other nodes' pods, so replies find their way back
 * </pre>
 */
final class IpMasquerade implements AutoCloseable
{
    static final String CHAIN = "WEFT-POSTRTG";
    private static final List<String> JUMP =
        List.of("POSTROUTING", "-m", "comment", "--comment", "weft masquerade", "-j", CHAIN);
    private static final long COMMAND_TIMEOUT_S = 30;

    private IpMasquerade()
    {
    }

    /** The chain's rules, each as iptables arguments after {@code -A CHAIN}. */
    static List<List<String>> rules(final Ipv4Prefix network, final Ipv4Prefix subnet)
    {
        final String cluster = network.toString();
        return List.of(
            List.of("-s", cluster, "-d", cluster, "-j", "RETURN"),
            List.of("-s", cluster, "!", "-d", "224.0.0.0/4", "-j", "MASQUERADE", "--random-fully"),
            List.of("!", "-s", cluster, "-d", subnet.toString(), "-j", "RETURN"),
            List.of("!", "-s", cluster, "-d", cluster, "-j", "MASQUERADE", "--random-fully"));
    }

    /** Replaces whatever an earlier run left in the chain, then hooks the chain first into nat POSTROUTING. */
    static IpMasquerade install(final Ipv4Prefix network, final Ipv4Prefix subnet) throws IOException
    {
        if (!iptables(true, "-N", CHAIN))
        {
            iptables(false, "-F", CHAIN);
        }
        for (final List<String> rule : rules(network, subnet))
        {
            final List<String> append = new ArrayList<>(List.of("-A", CHAIN));
            append.addAll(rule);
            iptables(false, append.toArray(String[]::new));
        }
        if (!iptables(true, prepend("-C", JUMP)))
        {
            final List<String> insert = new ArrayList<>(List.of("-I", "POSTROUTING", "1"));
            insert.addAll(JUMP.subList(1, JUMP.size()));
            iptables(false, insert.toArray(String[]::new));
        }
        Log.info("--ip-masq: nat chain " + CHAIN + " masquerades " + network + " leaving the cluster");
        return new IpMasquerade();
    }

    /** Unhooks and deletes the chain; a failure is logged, not thrown: shutdown goes on. */
    @Override
    public void close()
    {
        try
        {
            while (iptables(true, prepend("-D", JUMP)))
            {
                // An earlier run may have hooked the chain more than once.
            }
            iptables(false, "-F", CHAIN);
            iptables(false, "-X", CHAIN);
        }
        catch (final IOException e)
        {
            Log.warn("cannot remove the --ip-masq chain " + CHAIN + ": " + e.getMessage());
        }
    }

    private static String[] prepend(final String action, final List<String> rule)
    {
        final List<String> args = new ArrayList<>(List.of(action));
        args.addAll(rule);
        return args.toArray(String[]::new);
    }

    /**
     * Runs {@code iptables -w -t nat ARGS}.
     *
     * @param mayFail true: a non-zero exit (rule or chain absent, chain present) is an answer, false is returned.
     * @throws IOException when iptables cannot run, or fails where it must not, with its own words.
     */
    private static boolean iptables(final boolean mayFail, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("iptables", "-w", "-t", "nat"));
        command.addAll(List.of(args));
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException e)
        {
            throw new IOException("--ip-masq needs the iptables command: " + e.getMessage(), e);
        }
        try
        {
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT_S + " s");
            }
            if (process.exitValue() == 0)
            {
                return true;
            }
            if (mayFail)
            {
                return false;
            }
            throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted running " + String.join(" ", command), e);
        }
    }
}
