package io.weft.dataplane.node;

import io.weft.dataplane.lane.EpollIdleStrategy;
import io.weft.routing.Ipv4Addresses;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * weftd's flags, parsed and validated once. Names and defaults follow flanneld's where flanneld has the flag.
 * Accepts --name=value, --name value and Go's single-dash -name forms.
 */
record WeftdConfig(
    Path staticLeases,
    List<String> etcdEndpoints,
    String etcdPrefix,
    String etcdCaFile,
    String etcdCertFile,
    String etcdKeyFile,
    String etcdUsername,
    String etcdPassword,
    int subnetLeaseRenewMarginMinutes,
    int publicIp,
    String iface,
    Path subnetFile,
    Path cniConfDir,
    boolean ipMasq,
    int iptablesResyncSeconds,
    String tunName,
    int healthzIp,
    int healthzPort,
    int socketBufferLength,
    int lanes,
    int batch,
    boolean offload,
    EpollIdleStrategy.Mode idle,
    int idlePollMicros) {
    static final String USAGE = String.join("\n",
        "usage: weftd [flags]",
        "  --etcd-endpoints URLS   comma-separated etcd v3 endpoints (default http://127.0.0.1:2379)",
        "  --etcd-prefix PREFIX    etcd prefix of the network config and leases (default /coreos.com/network)",
        "  --etcd-cafile FILE, --etcd-certfile FILE, --etcd-keyfile FILE   TLS to etcd",
        "  --etcd-username USER, --etcd-password PASSWORD                   etcd authentication",
        "  --subnet-lease-renew-margin MINUTES   renew the 24 h lease this long before it expires (default 60)",
        "  --static-leases FILE    instead of etcd: network config and leases in a file of flannel's etcd layout",
        "  --public-ip IP          this node's underlay address; picks our lease (default: first IPv4 of --iface)",
        "  --iface NAME            underlay interface; its MTU - 28 is the overlay MTU",
        "                          (default: the interface holding --public-ip)",
        "  --subnet-file FILE      where to write subnet.env (default /run/flannel/subnet.env)",
        "  --cni-conf-dir DIR      where to write " + CniConflist.FILE_NAME + " (default /etc/cni/net.d)",
        "  --ip-masq               masquerade pods' traffic leaving the cluster with iptables rules, as flanneld,",
        "                          and record FLANNEL_IPMASQ=true (default false: the bridge plugin masquerades)",
        "  --iptables-resync SECONDS   how often --ip-masq checks its rules are still there (default 5)",
        "  --tun-name NAME         TUN device name (default flannel0)",
        "  --healthz-ip IP         address of /healthz and /metrics (default 127.0.0.1)",
        "  --healthz-port PORT     port of /healthz and /metrics, 0 turns them off (default 9286)",
        "  --socket-buffer BYTES   UDP SO_SNDBUF and SO_RCVBUF (default 4194304)",
        "  --lanes N               data path lanes: TUN queues, sockets and threads (default: one per core)",
        "  --batch N               datagrams per sendmmsg/recvmmsg (default 16; 1 = one packet per system call)",
        "  --offload auto|off      TUN TSO/checksum offload, UDP GSO and GRO where the kernel has them (default auto)",
        "  --idle spin|backoff|block   an idle lane thread polls, yielding its core, for ever (spin), for",
        "                          --idle-poll-us after its last packet (backoff, the default), or blocks at once",
        "  --idle-poll-us N        how long backoff polls before blocking in epoll (default "
            + EpollIdleStrategy.DEFAULT_POLL_MICROS + ")");

    private static final List<String> BOOLEAN_FLAGS = List.of("ip-masq", "help");
    private static final List<String> KNOWN_FLAGS = List.of("etcd-endpoints", "etcd-prefix", "etcd-cafile",
        "etcd-certfile", "etcd-keyfile", "etcd-username", "etcd-password", "subnet-lease-renew-margin",
        "static-leases", "public-ip", "iface", "subnet-file", "cni-conf-dir", "ip-masq", "iptables-resync",
        "tun-name", "healthz-ip", "healthz-port", "socket-buffer", "lanes", "batch", "offload", "idle", "idle-poll-us",
        "help");

    /** Thrown for a flag error; the message is meant for the operator's terminal, one line. */
    static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UsageException(final String message) {
            super(message);
        }
    }

    static boolean wantsHelp(final String[] args) {
        return List.of(args).contains("--help") || List.of(args).contains("-h") || List.of(args).contains("-help");
    }

    static WeftdConfig parse(final String[] args) {
        final Map<String, String> flags = parseFlags(args);
        final String staticLeases = flags.get("static-leases");
        final String prefix = flags.getOrDefault("etcd-prefix", "/coreos.com/network");
        if (!prefix.startsWith("/")) {
            throw new UsageException("--etcd-prefix '" + prefix + "' must start with /");
        }
        final List<String> endpoints =
            List.of(flags.getOrDefault("etcd-endpoints", "http://127.0.0.1:2379").split(","));
        for (final String endpoint : endpoints) {
            if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
                throw new UsageException(
                    "--etcd-endpoints entry '" + endpoint + "' must be an http:// or https:// URL");
            }
        }
        final String tunName = flags.getOrDefault("tun-name", "flannel0");
        if (tunName.isEmpty() || tunName.length() > 15) {
            throw new UsageException("--tun-name must have 1 to 15 characters");
        }
        return new WeftdConfig(
            staticLeases == null ? null : Path.of(staticLeases),
            endpoints,
            prefix,
            flags.getOrDefault("etcd-cafile", ""),
            flags.getOrDefault("etcd-certfile", ""),
            flags.getOrDefault("etcd-keyfile", ""),
            flags.getOrDefault("etcd-username", ""),
            flags.getOrDefault("etcd-password", ""),
            integer(flags, "subnet-lease-renew-margin", 60, 1, 24 * 60 - 1),
            address(flags, "public-ip", 0),
            flags.getOrDefault("iface", ""),
            Path.of(flags.getOrDefault("subnet-file", "/run/flannel/subnet.env")),
            Path.of(flags.getOrDefault("cni-conf-dir", "/etc/cni/net.d")),
            Boolean.parseBoolean(flags.getOrDefault("ip-masq", "false")),
            integer(flags, "iptables-resync", 5, 1, 24 * 60 * 60),
            tunName,
            address(flags, "healthz-ip", Ipv4Addresses.parse("127.0.0.1")),
            integer(flags, "healthz-port", 9286, 0, 65535),
            integer(flags, "socket-buffer", 4 << 20, 0, Integer.MAX_VALUE),
            integer(flags, "lanes", Runtime.getRuntime().availableProcessors(), 1, 64),
            integer(flags, "batch", 16, 1, 64),
            choice(flags, "offload", "auto", List.of("auto", "off")).equals("auto"),
            EpollIdleStrategy.Mode.parse(choice(flags, "idle", "backoff", List.of("spin", "backoff", "block"))),
            integer(flags, "idle-poll-us", EpollIdleStrategy.DEFAULT_POLL_MICROS, 1, 1_000_000));
    }

    private static Map<String, String> parseFlags(final String[] args) {
        final Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            final String arg = args[i];
            if (!arg.startsWith("-")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            final String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            final int equals = body.indexOf('=');
            final String name = equals < 0 ? body : body.substring(0, equals);
            if (!KNOWN_FLAGS.contains(name)) {
                throw new UsageException("unknown flag --" + name);
            }
            final String value;
            if (equals >= 0) {
                value = body.substring(equals + 1);
            } else if (BOOLEAN_FLAGS.contains(name)) {
                value = "true";
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException("flag --" + name + " needs a value");
            }
            if (BOOLEAN_FLAGS.contains(name) && !value.equals("true") && !value.equals("false")) {
                throw new UsageException("flag --" + name + " takes true or false, not '" + value + "'");
            }
            flags.put(name, value);
        }
        return flags;
    }

    private static int address(final Map<String, String> flags, final String name, final int defaultValue) {
        final String value = flags.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Ipv4Addresses.parse(value);
        } catch (final IllegalArgumentException e) {
            throw new UsageException("--" + name + " '" + value + "' is not an IPv4 address");
        }
    }

    private static String choice(final Map<String, String> flags, final String name, final String defaultValue,
        final List<String> choices) {
        final String value = flags.getOrDefault(name, defaultValue);
        if (!choices.contains(value)) {
            throw new UsageException("--" + name + " '" + value + "' must be one of " + String.join(", ", choices));
        }
        return value;
    }

    private static int integer(final Map<String, String> flags, final String name, final int defaultValue,
        final int min, final int max) {
        final String value = flags.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            final int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (final NumberFormatException e) {
            throw new UsageException("--" + name + " '" + value + "' must be an integer in " + min + ".." + max);
        }
    }
}
