package io.weft.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The dataplanes compared in one run, named as in the result file. */
enum Variant {
    /** No overlay: plain routes between the nodes, the reference for what the underlay can do. */
    HOST_GW("host-gw"),
    /** Kernel VXLAN set up as flannel's vxlan backend does. */
    VXLAN("vxlan"),
    /** weftd in the flannel-style mode: one lane, no offloads. */
    WEFT_BASELINE("weft-baseline"),
    /** weftd as shipped. */
    WEFT("weft"),
    /**
     * weftd as shipped, but another build of it: the jar {@value #BEFORE_JAR_PROPERTY} names, so that a change's
     * before and after are measured in one interleaved run (not in the report).
     */
    WEFT_BEFORE("weft-before"),
    /**
     * weftd as shipped but with lanes that poll for ever instead of blocking: no core halts between packets, so it
     * shows what spending the cores buys in latency and costs in CPU time (the targets are judged on "weft").
     */
    WEFT_SPIN("weft-spin"),
    /**
     * weftd with its leases in etcd (in the hub) instead of a static file, and {@code --auth=off}: the reference of
     * the authenticated variants, which need etcd (a static lease file carries no keys), so that they differ from it
     * by their flags only.
     */
    WEFT_ETCD("weft-etcd"),
    /** weftd as shipped in etcd mode, authenticated: every datagram between the nodes sealed and opened. */
    WEFT_AUTH("weft-auth"),
    /** As weft-auth with the packets also encrypted. */
    WEFT_ENCRYPT("weft-encrypt"),
    /** wireguard-go (Debian's, userspace like weftd, always encrypting), the reference issue 20 names. */
    WIREGUARD_GO("wireguard-go");

    /** For experiments only: extra flags for the "weft" variant, e.g. {@code -Dweft.bench.weftArgs=--idle=block}. */
    static final String WEFT_ARGS_PROPERTY = "weft.bench.weftArgs";

    /** The other build's weftd.jar (its weftd.jvm and weftd.jsa beside it) that weft-before runs. */
    static final String BEFORE_JAR_PROPERTY = "weft.bench.beforeJar";

    /** flannel's udp proxy in weft: one lane, one packet per system call, no offloads, blocking in poll when idle. */
    static final List<String> BASELINE_WEFTD_ARGS = List.of("--lanes=1", "--offload=off", "--batch=1", "--idle=block");

    /** The latency trade: lanes poll (yielding the core to anything runnable) and never block. */
    static final List<String> SPIN_WEFTD_ARGS = List.of("--idle=spin");

    /** weft-etcd's: etcd mode authenticates by default, and the reference must not. */
    static final List<String> ETCD_WEFTD_ARGS = List.of("--auth=off");

    /** What etcd mode does by default, said explicitly so that the report names it. */
    static final List<String> AUTH_WEFTD_ARGS = List.of("--auth=on");

    static final List<String> ENCRYPT_WEFTD_ARGS = List.of("--auth=on", "--encrypt");

    private final String label;

    Variant(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    /** @param natRules whether the nodes carry flanneld's --ip-masq nat rules (see {@link BenchOptions}). */
    Topology build(Pinning pinning, boolean natRules) {
        return switch (this) {
            case HOST_GW -> Topologies.hostGw(natRules);
            case VXLAN -> Topologies.vxlan(natRules);
            case WEFT_BASELINE -> Topologies.weft(BASELINE_WEFTD_ARGS, pinning, natRules);
            case WEFT -> Topologies.weft(shippedWeftdArgs(), pinning, natRules);
            case WEFT_BEFORE -> Topologies.weftFrom(beforeJar(), shippedWeftdArgs(), pinning, natRules);
            case WEFT_SPIN -> Topologies.weft(SPIN_WEFTD_ARGS, pinning, natRules);
            case WEFT_ETCD ->
                Topologies.weftWithEtcd(shippedWeftdArgsAnd(ETCD_WEFTD_ARGS), false, pinning, natRules);
            case WEFT_AUTH -> Topologies.weftWithEtcd(shippedWeftdArgsAnd(AUTH_WEFTD_ARGS), true, pinning, natRules);
            case WEFT_ENCRYPT ->
                Topologies.weftWithEtcd(shippedWeftdArgsAnd(ENCRYPT_WEFTD_ARGS), true, pinning, natRules);
            case WIREGUARD_GO -> Topologies.wireguardGo(pinning, natRules);
        };
    }

    /** What a run without --variants measures: every variant but weft-before, which needs another build. */
    static List<Variant> byDefault() {
        return Arrays.stream(values()).filter(v -> v != WEFT_BEFORE).toList();
    }

    static Variant parse(String label) {
        return Arrays.stream(values()).filter(v -> v.label.equals(label)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("unknown variant '" + label + "' (known: "
                + Arrays.stream(values()).map(Variant::label).collect(Collectors.joining(", ")) + ")"));
    }

    private static List<String> shippedWeftdArgsAnd(List<String> more) {
        return Stream.concat(shippedWeftdArgs().stream(), more.stream()).toList();
    }

    /** The jar weft-before runs; fails naming the property when it names no file. */
    static Path beforeJar() {
        String jar = System.getProperty(BEFORE_JAR_PROPERTY, "").trim();
        if (jar.isEmpty() || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalArgumentException("weft-before needs -D" + BEFORE_JAR_PROPERTY
                + "=PATH to another build's weftd.jar" + (jar.isEmpty() ? "" : ": no file " + jar));
        }
        return Path.of(jar);
    }

    private static List<String> shippedWeftdArgs() {
        String extra = System.getProperty(WEFT_ARGS_PROPERTY, "").trim();
        return extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
    }
}
