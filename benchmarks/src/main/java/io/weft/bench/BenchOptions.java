package io.weft.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The harness's settings, parsed once from its flags, with defaults next to their names.
 *
 * @param rounds         rounds; each measures every variant once, in a rotated order
 * @param seconds        length of each iperf3, ping and request/response measurement
 * @param warmupSeconds  an unrecorded TCP run before the measurements of each variant and round; 0 = none
 * @param variants       what to compare
 * @param output         the result file
 * @param udpBitrate     iperf3 {@code -b} for the 64-byte UDP test; "0" = as fast as the client can send
 * @param pingIntervalMs gap between echo requests
 * @param pinning        whether to pin node 1's processes to the first of {@code cpus} and node 2's to the second
 * @param cpus           the two CPUs
 * @param tcpCongestion  the TCP congestion control both pods use, whatever the machine's default
 * @param natRules       whether every node carries flanneld's --ip-masq nat rules (so the kernel tracks every
 *                       connection), or no nat rule at all: the two harness modes
 */
record BenchOptions(int rounds, int seconds, int warmupSeconds, List<Variant> variants, Path output,
                    String udpBitrate, int pingIntervalMs, boolean pinning, List<Integer> cpus,
                    String tcpCongestion, boolean natRules) {
    static final int DEFAULT_ROUNDS = 3;
    static final int DEFAULT_SECONDS = 10;
    static final int DEFAULT_WARMUP_SECONDS = 3;
    static final Path DEFAULT_OUTPUT = Path.of("perf-reports", "results", "e2e.json");
    static final String DEFAULT_UDP_BITRATE = "0";
    static final int DEFAULT_PING_INTERVAL_MS = 10;
    /**
     * Linux's default, and what the reference numbers were measured with. Pinned because the machine's own
     * default decides TCP throughput: with bbr (paced by timers, no fq qdisc) every variant here moved about half.
     */
    static final String DEFAULT_TCP_CONGESTION = "cubic";
    static final String USAGE = String.join("\n",
        "usage: EndToEndBench [--rounds N] [--seconds S] [--warmup-seconds S]",
        "                     [--variants host-gw,vxlan,weft-baseline,weft,weft-before,weft-spin,weft-etcd,weft-auth,",
        "                                 weft-encrypt,wireguard-go]",
        "                     [--out FILE] [--udp-bitrate RATE] [--ping-interval-ms MS] [--cpus A,B | --no-pin]",
        "                     [--tcp-congestion NAME] [--nat-rules on|off]",
        "defaults: --rounds " + DEFAULT_ROUNDS + " --seconds " + DEFAULT_SECONDS + " --warmup-seconds "
            + DEFAULT_WARMUP_SECONDS + " --out " + DEFAULT_OUTPUT
            + " --udp-bitrate " + DEFAULT_UDP_BITRATE + " --ping-interval-ms " + DEFAULT_PING_INTERVAL_MS
            + " --cpus 0,1 --tcp-congestion " + DEFAULT_TCP_CONGESTION
            + " --nat-rules on, every variant but weft-before (-D" + Variant.BEFORE_JAR_PROPERTY + "=JAR)");

    BenchOptions {
        if (rounds < 1 || seconds < 1 || pingIntervalMs < 1 || warmupSeconds < 0) {
            throw new IllegalArgumentException("--rounds, --seconds and --ping-interval-ms must be positive,"
                + " --warmup-seconds not negative");
        }
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("--variants is empty");
        }
        if (cpus.size() != 2) {
            throw new IllegalArgumentException("--cpus needs two CPUs, e.g. 0,1");
        }
        if (!tcpCongestion.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("--tcp-congestion needs an algorithm's name (e.g. cubic, bbr, reno),"
                + " not '" + tcpCongestion + "'");
        }
        variants = List.copyOf(variants);
        cpus = List.copyOf(cpus);
    }

    static BenchOptions defaults() {
        return parse(new String[0]);
    }

    static BenchOptions parse(String[] args) {
        int rounds = DEFAULT_ROUNDS;
        int seconds = DEFAULT_SECONDS;
        int warmupSeconds = DEFAULT_WARMUP_SECONDS;
        List<Variant> variants = Variant.byDefault();
        Path output = DEFAULT_OUTPUT;
        String udpBitrate = DEFAULT_UDP_BITRATE;
        int pingIntervalMs = DEFAULT_PING_INTERVAL_MS;
        boolean pinning = true;
        List<Integer> cpus = List.of(0, 1);
        String tcpCongestion = DEFAULT_TCP_CONGESTION;
        boolean natRules = true;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if ("--no-pin".equals(flag)) {
                pinning = false;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag.startsWith("--") ? flag + " needs a value" : "unknown " + flag);
            }
            String value = args[++i];
            switch (flag) {
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(value);
                case "--variants" -> variants = parseVariants(value);
                case "--out" -> output = Path.of(value);
                case "--udp-bitrate" -> udpBitrate = value;
                case "--ping-interval-ms" -> pingIntervalMs = Integer.parseInt(value);
                case "--cpus" -> cpus = Arrays.stream(value.split(",")).map(s -> Integer.valueOf(s.trim())).toList();
                case "--tcp-congestion" -> tcpCongestion = value;
                case "--nat-rules" -> natRules = onOrOff(flag, value);
                default -> throw new IllegalArgumentException("unknown flag " + flag);
            }
        }
        return new BenchOptions(rounds, seconds, warmupSeconds, variants, output, udpBitrate, pingIntervalMs, pinning,
            cpus, tcpCongestion, natRules);
    }

    static boolean onOrOff(String flag, String value) {
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(flag + " takes on or off, not '" + value + "'");
        };
    }

    /** The variants of round {@code round} (1-based): rotated by one each round, so none always runs first. */
    List<Variant> order(int round) {
        List<Variant> order = new ArrayList<>(variants);
        Collections.rotate(order, -(round - 1));
        return order;
    }

    static List<Variant> parseVariants(String value) {
        List<Variant> variants = new ArrayList<>();
        for (String label : value.split(",")) {
            Variant variant = Variant.parse(label.trim());
            if (!variants.contains(variant)) {
                variants.add(variant);
            }
        }
        return variants;
    }
}
