package io.weft.soak;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./weft soak [--profile smoke|hour] [--nodes N] [--duration D] [--seed S] [--out DIR] [--weftd-arg A]...}:
 * the profile gives the defaults; D is a number of seconds or ends in s, m or h; a run with the same seed repeats the
 * same faults on the same nodes in the same order; each {@code --weftd-arg} is passed to every weftd (e.g.
 * {@code --offload=off}), which otherwise runs with the defaults it ships with; each {@code --weftd-jvm-arg} goes to
 * weftd's JVM, for experiments (the report then no longer shows weftd as shipped, and says so).
 */
public record SoakOptions(Profile profile, int nodes, Duration duration, long seed, Path out,
                          List<String> weftdArgs, List<String> weftdJvmArgs) {
    public static final String USAGE = "usage: ./weft soak [--profile smoke|hour] [--nodes N] [--duration D]"
        + " [--seed S] [--out DIR] [--weftd-arg ARG]... [--weftd-jvm-arg ARG]...\n  D: seconds, or 90s, 15m, 1h;"
        + " defaults: smoke 4 nodes 4m, hour 8 nodes 1h; out: perf-reports/soak (hour), soak-tests/target/soak-smoke"
        + " (smoke)\n       ./weft soak --render DIR   judges and renders DIR/soak.json again";
    private static final int MAX_NODES = 40;

    public SoakOptions {
        weftdArgs = List.copyOf(weftdArgs);
        weftdJvmArgs = List.copyOf(weftdJvmArgs);
        if (nodes < 3 || nodes > MAX_NODES) {
            throw new IllegalArgumentException("--nodes must be 3.." + MAX_NODES + ": " + nodes);
        }
        if (duration.toSeconds() < 60) {
            throw new IllegalArgumentException("--duration must be at least a minute: " + duration);
        }
    }

    public static SoakOptions parse(String[] args) {
        Profile profile = Profile.HOUR;
        Integer nodes = null;
        Duration duration = null;
        Long seed = null;
        Path out = null;
        List<String> weftdArgs = new ArrayList<>();
        List<String> weftdJvmArgs = new ArrayList<>();
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            if (rest.isEmpty()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = rest.remove(0);
            switch (flag) {
                case "--profile" -> profile = Profile.of(value);
                case "--nodes" -> nodes = Integer.parseInt(value);
                case "--duration" -> duration = duration(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--out" -> out = Path.of(value);
                case "--weftd-arg" -> weftdArgs.add(value);
                case "--weftd-jvm-arg" -> weftdJvmArgs.add(value);
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        return new SoakOptions(profile, nodes == null ? profile.defaultNodes : nodes,
            duration == null ? profile.defaultDuration : duration,
            seed == null ? new SecureRandom().nextLong() & Long.MAX_VALUE : seed,
            out == null ? Path.of(profile == Profile.SMOKE ? "soak-tests/target/soak-smoke" : "perf-reports/soak")
                : out, weftdArgs, weftdJvmArgs);
    }

    static Duration duration(String text) {
        char unit = text.charAt(text.length() - 1);
        String number = Character.isDigit(unit) ? text : text.substring(0, text.length() - 1);
        long value = Long.parseLong(number);
        return switch (unit) {
            case 'h' -> Duration.ofHours(value);
            case 'm' -> Duration.ofMinutes(value);
            case 's' -> Duration.ofSeconds(value);
            default -> {
                if (!Character.isDigit(unit)) {
                    throw new IllegalArgumentException("bad duration " + text + " (use s, m or h)");
                }
                yield Duration.ofSeconds(value);
            }
        };
    }

    /** The command that repeats this run. */
    public String command() {
        StringBuilder command = new StringBuilder("./weft soak --profile " + profile.id() + " --nodes " + nodes
            + " --duration " + duration.toSeconds() + "s --seed " + seed);
        weftdArgs.forEach(arg -> command.append(" --weftd-arg ").append(arg));
        weftdJvmArgs.forEach(arg -> command.append(" --weftd-jvm-arg ").append(arg));
        return command.toString();
    }
}
