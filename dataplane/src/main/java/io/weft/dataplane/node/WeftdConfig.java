package io.weft.dataplane.node;

import io.weft.dataplane.lane.AuthMode;
import io.weft.dataplane.lane.EpollIdleStrategy;
import io.weft.registry.LeaseCodec;
import io.weft.registry.kube.KubeRegistryConfig;
import io.weft.routing.Ipv4Addresses;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine;

/**
 * weftd's flags, parsed and validated once: picocli reads {@link WeftdFlags}, this record holds the checked values.
 * Accepts --name=value, --name value and Go's single-dash -name forms.
 */
record WeftdConfig(
    Path staticLeases,
    KubeMode kube,
    List<String> etcdEndpoints,
    String etcdPrefix,
    String etcdCaFile,
    String etcdCertFile,
    String etcdKeyFile,
    String etcdUsername,
    String etcdPassword,
    int subnetLeaseRenewMarginMinutes,
    int publicIp,
    List<String> ifaces,
    List<String> ifaceRegexes,
    int ifaceCanReach,
    Path subnetFile,
    Path cniConfDir,
    boolean ipMasq,
    int iptablesResyncSeconds,
    boolean iptablesForwardRules,
    String tunName,
    int healthzIp,
    int healthzPort,
    int metricsIp,
    int metricsPort,
    int socketBufferLength,
    int lanes,
    int batch,
    boolean offload,
    EpollIdleStrategy.Mode idle,
    int idlePollMicros,
    boolean jitThreadsIdle,
    boolean cleanup,
    boolean exitAfterHandover,
    int verbosity,
    Auth auth) {
    /**
     * {@code --auth}, {@code --encrypt} and {@code --auth-key-file}: how datagrams between weft nodes are protected.
     *
     * @param keyFile where the node's X25519 key lives (made on first start), by default beside --subnet-file.
     */
    record Auth(AuthMode mode, boolean encrypt, Path keyFile, int keyRotationSeconds) {
        static final String DEFAULT_KEY_FILE_NAME = "weft-node.key";
        static final int DEFAULT_KEY_ROTATION_SECONDS = 24 * 60 * 60;
        /** Under 4 s the steps of a rotation (a quarter of it each) would race the leases' propagation. */
        static final int MIN_KEY_ROTATION_SECONDS = 4;
    }

    /**
     * The kube subnet manager's settings, or null without {@code --kube-subnet-mgr}.
     *
     * @param apiUrl         null for none.
     * @param kubeconfigFile null: in-cluster configuration.
     * @param nodeName       from {@code NODE_NAME}, as flanneld takes it.
     */
    record KubeMode(String apiUrl, Path kubeconfigFile, String annotationPrefix, Path netConfPath, String nodeName,
        boolean setNodeNetworkUnavailable) {
    }

    /** Thrown for a flag error; the message is meant for the operator's terminal, one line. */
    static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UsageException(final String message) {
            super(message);
        }
    }

    /** One HTTP server of weftd's: where, whether it serves /metrics, and the flags to name when it cannot bind. */
    record HttpEndpoint(int ip, int port, boolean withMetrics, String flags) {
    }

    /**
     * /metrics with both probes on --metrics-ip/--metrics-port, the probes alone on flanneld's --healthz-ip and
     * --healthz-port; one server when both name the same address and port. Empty: no HTTP at all.
     */
    List<HttpEndpoint> httpEndpoints() {
        final boolean shared = healthzPort == metricsPort && healthzIp == metricsIp;
        final List<HttpEndpoint> endpoints = new ArrayList<>(2);
        if (metricsPort != 0) {
            endpoints.add(new HttpEndpoint(metricsIp, metricsPort, true,
                shared ? "--metrics-port and --healthz-port" : "--metrics-port"));
        }
        if (healthzPort != 0 && !shared) {
            endpoints.add(new HttpEndpoint(healthzIp, healthzPort, false, "--healthz-port"));
        }
        return endpoints;
    }

    /** flanneld's --version, in Go's forms too; it prints the version alone, as flanneld does. */
    static boolean wantsVersion(final String[] args) {
        return List.of(args).contains("--version") || List.of(args).contains("-version");
    }

    static boolean wantsHelp(final String[] args) {
        return List.of(args).contains("--help") || List.of(args).contains("-h") || List.of(args).contains("-help");
    }

    /** The help text, generated from {@link WeftdFlags}. */
    static String usage() {
        // Shown as "--lanes N": both forms are accepted, and the space reads as flanneld's help does.
        return commandLine(new WeftdFlags()).setSeparator(" ").getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    static WeftdConfig parse(final String[] args) {
        return parse(args, System.getenv());
    }

    /** @param env where {@code NODE_NAME} and the {@code FLANNELD_<FLAG>} variables are read. */
    static WeftdConfig parse(final String[] args, final Map<String, String> env) {
        final WeftdFlags flags = new WeftdFlags();
        final CommandLine commandLine = commandLine(flags).setDefaultValueProvider(option -> fromEnv(option, env));
        try {
            commandLine.parseArgs(asPicocliArgs(commandLine.getCommandSpec(), args));
        } catch (final CommandLine.ParameterException e) {
            throw usageError(e);
        }
        final String prefix = flags.etcdPrefix;
        if (!prefix.startsWith("/")) {
            throw new UsageException("--etcd-prefix '" + prefix + "' must start with /");
        }
        final List<String> endpoints = List.of(flags.etcdEndpoints.split(","));
        for (final String endpoint : endpoints) {
            if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
                throw new UsageException(
                    "--etcd-endpoints entry '" + endpoint + "' must be an http:// or https:// URL");
            }
        }
        if (flags.tunName.isEmpty() || flags.tunName.length() > 15) {
            throw new UsageException("--tun-name must have 1 to 15 characters");
        }
        bool("--ip-masq", flags.ipMasq);
        return checkHttpAddresses(new WeftdConfig(
            flags.staticLeases == null ? null : Path.of(flags.staticLeases),
            kubeMode(flags, env),
            endpoints,
            prefix,
            flags.etcdCaFile,
            flags.etcdCertFile,
            flags.etcdKeyFile,
            flags.etcdUsername,
            flags.etcdPassword,
            integer("--subnet-lease-renew-margin", flags.subnetLeaseRenewMargin, 1, 24 * 60 - 1),
            flags.publicIp == null ? 0 : publicIp(flags.publicIp),
            flags.ifaces == null ? List.of() : List.copyOf(flags.ifaces),
            regexes(flags.ifaceRegexes),
            flags.ifaceCanReach == null ? 0 : address("--iface-can-reach", flags.ifaceCanReach),
            Path.of(flags.subnetFile),
            Path.of(flags.cniConfDir),
            bool("--ip-masq", flags.ipMasq),
            integer("--iptables-resync", flags.iptablesResync, 1, 24 * 60 * 60),
            bool("--iptables-forward-rules", flags.iptablesForwardRules),
            flags.tunName,
            address("--healthz-ip", flags.healthzIp),
            integer("--healthz-port", flags.healthzPort, 0, 65535),
            address("--metrics-ip", flags.metricsIp),
            integer("--metrics-port", flags.metricsPort, 0, 65535),
            integer("--socket-buffer", flags.socketBuffer, 0, Integer.MAX_VALUE),
            flags.lanes == null ? defaultLanes() : integer("--lanes", flags.lanes, 1, WeftdFlags.MAX_LANES),
            integer("--batch", flags.batch, 1, 64),
            choice("--offload", flags.offload, List.of("auto", "off")).equals("auto"),
            EpollIdleStrategy.Mode.parse(choice("--idle", flags.idle, List.of("spin", "backoff", "adaptive", "block"))),
            integer("--idle-poll-us", flags.idlePollMicros, 1, 1_000_000),
            choice("--jit-threads", flags.jitThreads, List.of("idle", "normal")).equals("idle"),
            bool("--cleanup", flags.cleanup),
            bool("--exit-after-handover", flags.exitAfterHandover),
            integer("--v", flags.verbosity, 0, 10),
            auth(flags)));
    }

    /**
     * flanneld's --healthz-port on --metrics-port's port is one server only when they name one address; the
     * wildcard and another address cannot both bind one port, which is said now rather than at the bind.
     */
    private static WeftdConfig checkHttpAddresses(final WeftdConfig config) {
        final boolean samePort = config.healthzPort != 0 && config.healthzPort == config.metricsPort;
        final boolean oneIsEveryAddress = config.healthzIp == 0 || config.metricsIp == 0;
        if (samePort && config.healthzIp != config.metricsIp && oneIsEveryAddress) {
            throw new UsageException("--healthz-ip " + Ipv4Addresses.format(config.healthzIp) + " and --metrics-ip "
                + Ipv4Addresses.format(config.metricsIp) + " share port " + config.healthzPort + ", and one is every"
                + " address: give both the same address (one server then serves /metrics, /healthz and /readyz)"
                + " or each a port of its own");
        }
        return config;
    }

    private static Auth auth(final WeftdFlags flags) {
        final boolean staticLeases = flags.staticLeases != null;
        final String given = flags.auth == null ? (staticLeases ? "off" : "on") : flags.auth;
        final AuthMode mode = AuthMode.valueOf(
            choice("--auth", given, List.of("off", "on", "required")).toUpperCase(Locale.ROOT));
        final boolean encrypt = bool("--encrypt", flags.encrypt);
        if (staticLeases && (mode.enabled() || encrypt)) {
            throw new UsageException((mode.enabled() ? "--auth " + given : "--encrypt") + " with --static-leases:"
                + " a lease file cannot carry the key and epoch each start advertises, so no node could authenticate;"
                + " use etcd or --kube-subnet-mgr, or leave --auth and --encrypt (FLANNELD_AUTH, FLANNELD_ENCRYPT)"
                + " out");
        }
        if (encrypt && !mode.enabled()) {
            throw new UsageException("--encrypt needs --auth on or required: encryption rides on the authentication");
        }
        final Path subnetDir = Path.of(flags.subnetFile).toAbsolutePath().getParent();
        final int rotation = integer("--auth-key-rotation", flags.authKeyRotation, 0, Integer.MAX_VALUE);
        if (rotation != 0 && rotation < Auth.MIN_KEY_ROTATION_SECONDS) {
            throw new UsageException("--auth-key-rotation " + rotation + ": 0 (never) or at least "
                + Auth.MIN_KEY_ROTATION_SECONDS + " seconds");
        }
        return new Auth(mode, encrypt, flags.authKeyFile == null || flags.authKeyFile.isEmpty()
            ? subnetDir.resolve(Auth.DEFAULT_KEY_FILE_NAME) : Path.of(flags.authKeyFile), rotation);
    }

    private static KubeMode kubeMode(final WeftdFlags flags, final Map<String, String> env) {
        final boolean on = bool("--kube-subnet-mgr", flags.kubeSubnetMgr);
        final boolean setUnavailable = bool("--set-node-network-unavailable", flags.setNodeNetworkUnavailable);
        if (!on) {
            return null;
        }
        if (flags.staticLeases != null) {
            throw new UsageException("--static-leases and --kube-subnet-mgr are two registries: give one");
        }
        final String nodeName = env.getOrDefault("NODE_NAME", "");
        if (nodeName.isEmpty()) {
            throw new UsageException("--kube-subnet-mgr needs NODE_NAME, this node's name in the API server (in a "
                + "DaemonSet: env NODE_NAME from fieldRef spec.nodeName)");
        }
        try {
            KubeRegistryConfig.checkAnnotationPrefix(flags.kubeAnnotationPrefix);
        } catch (final IllegalArgumentException e) {
            throw new UsageException("--kube-annotation-prefix: " + e.getMessage());
        }
        return new KubeMode(flags.kubeApiUrl.isEmpty() ? null : flags.kubeApiUrl,
            flags.kubeconfigFile.isEmpty() ? null : Path.of(flags.kubeconfigFile), flags.kubeAnnotationPrefix,
            Path.of(flags.netConfigPath), nodeName, setUnavailable);
    }

    /**
     * As flanneld's flagutil.SetFlagsFromEnv: a flag not on the command line takes {@code FLANNELD_<FLAG>} (its name
     * upper-cased, dashes as underscores) when that is set and not empty, so kube-flannel's env-only configuration
     * works unchanged. Being picocli's default, the variable goes through the same checks as the flag's own value.
     *
     * @return null for the flag's own default.
     */
    private static String fromEnv(final CommandLine.Model.ArgSpec arg, final Map<String, String> env) {
        if (!(arg instanceof CommandLine.Model.OptionSpec option) || option.usageHelp() || option.versionHelp()) {
            return null;
        }
        final String value = env.get(envName(option.longestName()));
        return value == null || value.isEmpty() ? null : value;
    }

    /** {@code --iface-regex} is read from {@code FLANNELD_IFACE_REGEX}. */
    static String envName(final String flag) {
        return "FLANNELD_" + flag.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Checked here, kept as text: a Pattern has no equals, and the config is compared as a value. */
    private static List<String> regexes(final List<String> values) {
        final List<String> patterns = new ArrayList<>();
        for (final String value : values == null ? List.<String>of() : values) {
            try {
                patterns.add(Pattern.compile(value).pattern());
            } catch (final PatternSyntaxException e) {
                throw new UsageException("--iface-regex '" + value + "' is not a regular expression: "
                    + e.getDescription());
            }
        }
        return List.copyOf(patterns);
    }

    private static boolean bool(final String name, final String value) {
        if (!value.equals("true") && !value.equals("false")) {
            throw new UsageException("flag " + name + " takes true or false, not '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    /** One per core, at most {@link WeftdFlags#DEFAULT_MAX_LANES}: a large node does not get lanes it cannot feed. */
    static int defaultLanes() {
        return Math.min(Runtime.getRuntime().availableProcessors(), WeftdFlags.DEFAULT_MAX_LANES);
    }

    private static CommandLine commandLine(final WeftdFlags flags) {
        return new CommandLine(flags)
            .setOverwrittenOptionsAllowed(true) // as Go's flag package: the last one wins
            .setEndOfOptionsDelimiter("\0"); // no "--": weftd takes no arguments after its flags
    }

    /**
     * Go's flag syntax as picocli reads it: {@code -name} means {@code --name}, and a boolean flag (one with a
     * fallback value) takes a value only after '=' (alone it means its fallback), so a word after it is an argument.
     * The word after a flag that takes a value is that value, whatever it looks like ({@code --socket-buffer -1}).
     */
    static String[] asPicocliArgs(final CommandLine.Model.CommandSpec spec, final String[] args) {
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-") || arg.equals("--")) {
                throw new UsageException("unknown flag --");
            }
            if (arg.startsWith("-") && !arg.startsWith("--") && !arg.equals("-h")) {
                arg = "-" + arg;
            }
            final int equals = arg.indexOf('=');
            final CommandLine.Model.OptionSpec option = spec.findOption(equals < 0 ? arg : arg.substring(0, equals));
            if (option != null && equals < 0 && !option.fallbackValue().isEmpty()) {
                arg = arg + "=" + option.fallbackValue();
            }
            out.add(arg);
            if (option != null && equals < 0 && option.fallbackValue().isEmpty() && option.arity().max() > 0
                && i + 1 < args.length) {
                out.add(args[++i]);
            }
        }
        return out.toArray(new String[0]);
    }

    private static UsageException usageError(final CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            final String arg = unmatched.getUnmatched().get(0);
            if (arg.startsWith("-")) {
                final int equals = arg.indexOf('=');
                return new UsageException("unknown flag " + (equals < 0 ? arg : arg.substring(0, equals)));
            }
            return new UsageException("unexpected argument '" + arg + "'");
        }
        if (e instanceof CommandLine.MissingParameterException missing && !missing.getMissing().isEmpty()
            && missing.getMissing().get(0) instanceof CommandLine.Model.OptionSpec option) {
            return new UsageException("flag " + option.longestName() + " needs a value");
        }
        return new UsageException(e.getMessage());
    }

    private static int address(final String name, final String value) {
        try {
            return Ipv4Addresses.parse(value);
        } catch (final IllegalArgumentException e) {
            throw new UsageException(name + " '" + value + "' is not an IPv4 address");
        }
    }

    /** The node's underlay address: one other nodes can send to, as they check it in its lease. */
    private static int publicIp(final String value) {
        final int address = address("--public-ip", value);
        final String unreachable = LeaseCodec.unreachable(address);
        if (unreachable != null) {
            throw new UsageException(
                "--public-ip '" + value + "' is " + unreachable + ": other nodes cannot send to it");
        }
        return address;
    }

    private static String choice(final String name, final String value, final List<String> choices) {
        if (!choices.contains(value)) {
            throw new UsageException(name + " '" + value + "' must be one of " + String.join(", ", choices));
        }
        return value;
    }

    private static int integer(final String name, final String value, final int min, final int max) {
        try {
            final int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (final NumberFormatException e) {
            throw new UsageException(name + " '" + value + "' must be an integer in " + min + ".." + max);
        }
    }
}
