package io.weft.dataplane.node;

import io.weft.dataplane.lane.EpollIdleStrategy;
import io.weft.registry.kube.KubeRegistryConfig;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * weftd's flags as picocli reads them: each flag's name, default and help are written here and nowhere else (the
 * README's table is checked against this class). Values stay text until {@link WeftdConfig} checks and converts
 * them, so every error names the flag and quotes the value the same way. Names and defaults follow flanneld's where
 * flanneld has the flag.
 */
@Command(name = "weftd", usageHelpWidth = 120, sortOptions = false,
    description = "A drop-in for flanneld's udp backend: leases a subnet, carries pod traffic between nodes in UDP.")
final class WeftdFlags {
    /** Without --lanes, one lane per core up to this many: each lane holds its own off-heap buffers and a thread. */
    static final int DEFAULT_MAX_LANES = 16;
    /** A lane is a TUN queue (the kernel allows 256) with buffers in weftd's bounded direct memory. */
    static final int MAX_LANES = 64;

    @Option(names = "--etcd-endpoints", paramLabel = "URLS", defaultValue = "http://127.0.0.1:2379",
        description = "comma-separated etcd v3 endpoints (default ${DEFAULT-VALUE})")
    String etcdEndpoints;

    @Option(names = "--etcd-prefix", paramLabel = "PREFIX", defaultValue = "/coreos.com/network",
        description = "etcd prefix of the network config and leases (default ${DEFAULT-VALUE})")
    String etcdPrefix;

    @Option(names = "--etcd-cafile", paramLabel = "FILE", defaultValue = "", description = "TLS to etcd: CA")
    String etcdCaFile;

    @Option(names = "--etcd-certfile", paramLabel = "FILE", defaultValue = "",
        description = "TLS to etcd: client certificate")
    String etcdCertFile;

    @Option(names = "--etcd-keyfile", paramLabel = "FILE", defaultValue = "",
        description = "TLS to etcd: client key, PKCS#8 or PKCS#1 PEM")
    String etcdKeyFile;

    @Option(names = "--etcd-username", paramLabel = "USER", defaultValue = "", description = "etcd authentication")
    String etcdUsername;

    @Option(names = "--etcd-password", paramLabel = "PASSWORD", defaultValue = "",
        description = "etcd authentication")
    String etcdPassword;

    @Option(names = "--subnet-lease-renew-margin", paramLabel = "MINUTES", defaultValue = "60",
        description = "renew the 24 h lease this long before it expires (default ${DEFAULT-VALUE})")
    String subnetLeaseRenewMargin;

    @Option(names = "--static-leases", paramLabel = "FILE",
        description = "instead of etcd: network config and leases in a file of flannel's etcd layout")
    String staticLeases;

    /** As Go's boolean flags: alone it means true; a value goes after '=' only (see WeftdConfig). */
    @Option(names = "--kube-subnet-mgr", arity = "0..1", paramLabel = "true|false", defaultValue = "false",
        fallbackValue = "true", description = "instead of etcd: the subnet is this node's podCIDR, leases are node"
        + " annotations, as flanneld's kube subnet manager (default ${DEFAULT-VALUE})")
    String kubeSubnetMgr;

    @Option(names = "--kube-api-url", paramLabel = "URL", defaultValue = "",
        description = "--kube-subnet-mgr: the API server's URL (overrides the kubeconfig's server)")
    String kubeApiUrl;

    @Option(names = "--kubeconfig-file", paramLabel = "FILE", defaultValue = "",
        description = "--kube-subnet-mgr: kubeconfig (default: in-cluster, the pod's service account)")
    String kubeconfigFile;

    @Option(names = "--kube-annotation-prefix", paramLabel = "PREFIX",
        defaultValue = KubeRegistryConfig.DEFAULT_ANNOTATION_PREFIX,
        description = "--kube-subnet-mgr: prefix of the node annotations (default ${DEFAULT-VALUE})")
    String kubeAnnotationPrefix;

    @Option(names = "--net-config-path", paramLabel = "FILE", defaultValue = "/etc/kube-flannel/net-conf.json",
        description = "--kube-subnet-mgr: the network config, etcd's config JSON (default ${DEFAULT-VALUE})")
    String netConfigPath;

    @Option(names = "--set-node-network-unavailable", arity = "0..1", paramLabel = "true|false",
        defaultValue = "true", fallbackValue = "true",
        description = "--kube-subnet-mgr: set the node's NetworkUnavailable condition to False (default"
            + " ${DEFAULT-VALUE})")
    String setNodeNetworkUnavailable;

    @Option(names = "--public-ip", paramLabel = "IP",
        description = "this node's underlay address; picks our lease (default: first IPv4 of --iface)")
    String publicIp;

    /** Repeatable, as flanneld's: the first one this node has is used. */
    @Option(names = "--iface", paramLabel = "NAME|IP",
        description = "underlay interface, by name or by one of its addresses; repeat it to give choices in order;"
            + " its MTU - 28 is the overlay MTU, - 56 when authenticating (default: the one holding --public-ip,"
            + " else the default route's)")
    List<String> ifaces;

    /** Repeatable, as flanneld's; used only without --iface. */
    @Option(names = "--iface-regex", paramLabel = "REGEX",
        description = "without --iface: the first interface with an IPv4 address, else a name, this regex finds;"
            + " repeat it to give choices in order")
    List<String> ifaceRegexes;

    @Option(names = "--iface-can-reach", paramLabel = "IP",
        description = "without --iface and --iface-regex: the interface the kernel routes this address through, as"
            + " flanneld's (ip route get IP)")
    String ifaceCanReach;

    @Option(names = "--subnet-file", paramLabel = "FILE", defaultValue = "/run/flannel/subnet.env",
        description = "where to write subnet.env (default ${DEFAULT-VALUE})")
    String subnetFile;

    @Option(names = "--cni-conf-dir", paramLabel = "DIR", defaultValue = "/etc/cni/net.d",
        description = "where to write " + CniConflist.FILE_NAME + " (default ${DEFAULT-VALUE})")
    String cniConfDir;

    /** As Go's boolean flags: alone it means true; a value goes after '=' only (see WeftdConfig). */
    @Option(names = "--ip-masq", arity = "0..1", paramLabel = "true|false", defaultValue = "false",
        fallbackValue = "true", description = "masquerade pods' traffic leaving the cluster with iptables rules, as"
        + " flanneld, and record FLANNEL_IPMASQ=true (default ${DEFAULT-VALUE}: the bridge plugin masquerades)")
    String ipMasq;

    @Option(names = "--iptables-resync", paramLabel = "SECONDS", defaultValue = "5",
        description = "how often --ip-masq and --iptables-forward-rules check their rules are still there"
        + " (default ${DEFAULT-VALUE})")
    String iptablesResync;

    @Option(names = "--iptables-forward-rules", arity = "0..1", paramLabel = "true|false", defaultValue = "true",
        fallbackValue = "true", description = "accept the pod network in the filter FORWARD chain, as flanneld, so"
        + " nodes whose FORWARD policy is DROP still forward (default ${DEFAULT-VALUE})")
    String iptablesForwardRules;

    @Option(names = "--tun-name", paramLabel = "NAME", defaultValue = "flannel0",
        description = "TUN device name (default ${DEFAULT-VALUE})")
    String tunName;

    @Option(names = "--healthz-ip", paramLabel = "IP", defaultValue = "0.0.0.0",
        description = "address of /healthz and /readyz, as flanneld (default ${DEFAULT-VALUE})")
    String healthzIp;

    @Option(names = "--healthz-port", paramLabel = "PORT", defaultValue = "0",
        description = "port of /healthz and /readyz, as flanneld; 0: no server of its own (--metrics-port serves"
        + " them too); with --metrics-port's address and port, one server serves all three (default ${DEFAULT-VALUE})")
    String healthzPort;

    @Option(names = "--metrics-ip", paramLabel = "IP", defaultValue = "127.0.0.1",
        description = "address of /metrics, /healthz and /readyz (default ${DEFAULT-VALUE})")
    String metricsIp;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "9286",
        description = "port of /metrics, /healthz and /readyz, 0 turns it off (default ${DEFAULT-VALUE})")
    String metricsPort;

    @Option(names = "--socket-buffer", paramLabel = "BYTES", defaultValue = "4194304",
        description = "UDP SO_SNDBUF and SO_RCVBUF (default ${DEFAULT-VALUE})")
    String socketBuffer;

    @Option(names = "--lanes", paramLabel = "N",
        description = "data path lanes: TUN queues, sockets and threads, 1.." + MAX_LANES
            + " (default: one per core, at most " + DEFAULT_MAX_LANES + ")")
    String lanes;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "16",
        description = "datagrams per sendmmsg/recvmmsg (default ${DEFAULT-VALUE}; 1 = one packet per system call)")
    String batch;

    @Option(names = "--offload", paramLabel = "auto|off", defaultValue = "auto",
        description = "TUN TSO/checksum offload, UDP GSO and GRO where the kernel has them (default ${DEFAULT-VALUE})")
    String offload;

    @Option(names = "--idle", paramLabel = "spin|backoff|adaptive|block", defaultValue = "adaptive",
        description = "an idle lane polls, yielding its core, for ever (spin), for --idle-poll-us after its last"
            + " packet (backoff), as long but only where the lane is busy, that pays or packets are sparse (adaptive,"
            + " the default),"
            + " or blocks at once")
    String idle;

    @Option(names = "--idle-poll-us", paramLabel = "N", defaultValue = "" + EpollIdleStrategy.DEFAULT_POLL_MICROS,
        description = "how long backoff and adaptive poll before blocking in epoll (default ${DEFAULT-VALUE})")
    String idlePollMicros;

    @Option(names = "--jit-threads", paramLabel = "idle|normal", defaultValue = "idle",
        description = "once forwarding, the JIT compiler's threads run under SCHED_IDLE, so that a lane that wakes"
            + " takes their core at once instead of waiting out a compilation; normal: as any thread (default"
            + " ${DEFAULT-VALUE})")
    String jitThreads;

    @Option(names = "--cleanup", arity = "0..1", paramLabel = "true|false", defaultValue = "false",
        fallbackValue = "true", description = "remove what weftd leaves in the kernel for its restarts: --tun-name,"
        + " its routes (Network from --subnet-file) and the --ip-masq rules; then exit (default ${DEFAULT-VALUE})")
    String cleanup;

    @Option(names = "--exit-after-handover", arity = "0..1", paramLabel = "true|false", defaultValue = "true",
        fallbackValue = "true", description = "once a new weftd took over this one's queues and sockets, exit 0;"
        + " false: idle until stopped, for supervisors that restart what exits (default ${DEFAULT-VALUE})")
    String exitAfterHandover;

    /** Null: on, but off with --static-leases, whose file cannot carry the keys each start advertises. */
    @Option(names = "--auth", paramLabel = "off|on|required",
        description = "authenticate datagrams with the weft nodes that advertise a key (on), and also refuse nodes"
            + " without one, flanneld's (required); off: trust the outer source address, as flanneld does"
            + " (default: on; off with --static-leases, which cannot carry keys)")
    String auth;

    @Option(names = "--encrypt", arity = "0..1", paramLabel = "true|false", defaultValue = "false",
        fallbackValue = "true", description = "with --auth, also encrypt the packets sent to nodes that authenticate"
        + " (default ${DEFAULT-VALUE})")
    String encrypt;

    @Option(names = "--auth-key-file", paramLabel = "FILE",
        description = "the node's X25519 key for --auth, made on first start, readable by its owner only (default:"
            + " " + WeftdConfig.Auth.DEFAULT_KEY_FILE_NAME + " beside --subnet-file)")
    String authKeyFile;

    @Option(names = "--auth-key-rotation", paramLabel = "SECONDS",
        defaultValue = "" + WeftdConfig.Auth.DEFAULT_KEY_ROTATION_SECONDS,
        description = "with --auth, make a new node key this often, with no restart and no datagram lost: announced"
            + " beside the old one, sealed with a quarter of the period later, the old one forgotten after another"
            + " quarter; 0: never (default ${DEFAULT-VALUE})")
    String authKeyRotation;

    /** klog's -v of flanneld: weftd's log has no debug lines yet, so any level logs as 0 does. */
    @Option(names = "--v", paramLabel = "N", defaultValue = "0",
        description = "log verbosity, as flanneld's -v; accepted, weftd logs the same at every level (default"
            + " ${DEFAULT-VALUE})")
    String verbosity;

    @Option(names = "--version", versionHelp = true, description = "print the version and exit")
    boolean version;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;
}
