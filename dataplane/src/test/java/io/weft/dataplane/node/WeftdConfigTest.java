package io.weft.dataplane.node;

import static io.weft.dataplane.packet.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.dataplane.lane.AuthMode;
import io.weft.dataplane.lane.EpollIdleStrategy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WeftdConfigTest {
    private static final String LEASES = "/etc/weft/leases.json";
    private static final int LANES = Math.min(Runtime.getRuntime().availableProcessors(), 16);
    /** No environment: FLANNELD_* variables where the tests run must not change what they parse. */
    private static final WeftdConfig ETCD_DEFAULTS = WeftdConfig.parse(new String[0], Map.of());

    @Test
    void shouldApplyDefaultsWhenOnlyStaticLeasesIsGiven() {
        final WeftdConfig config = parse("--static-leases", LEASES);

        assertThat(config).isEqualTo(new WeftdConfig(Path.of(LEASES), null, ETCD_DEFAULTS.etcdEndpoints(),
            ETCD_DEFAULTS.etcdPrefix(), "", "", "",
            "", "", 60, 0, List.of(), List.of(), 0, Path.of("/run/flannel/subnet.env"),
            Path.of("/etc/cni/net.d"), false, 5, true, "flannel0", 0, 0, ip("127.0.0.1"), 9286, 4 << 20, LANES,
            16, true,
            EpollIdleStrategy.Mode.ADAPTIVE, EpollIdleStrategy.DEFAULT_POLL_MICROS, true, false, true, 0,
            new WeftdConfig.Auth(AuthMode.OFF, false, Path.of("/run/flannel/weft-node.key"), 86_400)));
    }

    @Test
    void shouldServeMetricsAndProbesOnLoopbackAndNoHealthzPortOfItsOwnByDefault() {
        assertThat(parse("--static-leases", LEASES).httpEndpoints())
            .containsExactly(new WeftdConfig.HttpEndpoint(ip("127.0.0.1"), 9286, true, "--metrics-port"));
    }

    @Test
    void shouldServeEverythingOnceWhenHealthzNamesTheMetricsAddressAndPort() {
        assertThat(parse("--static-leases", LEASES, "--healthz-ip=127.0.0.1", "--healthz-port=9286").httpEndpoints())
            .containsExactly(new WeftdConfig.HttpEndpoint(ip("127.0.0.1"), 9286, true,
                "--metrics-port and --healthz-port"));
    }

    @Test
    void shouldServeTheProbesAloneOnAHealthzPortOfItsOwn() {
        assertThat(parse("--static-leases", LEASES, "--healthz-port=9301").httpEndpoints()).containsExactly(
            new WeftdConfig.HttpEndpoint(ip("127.0.0.1"), 9286, true, "--metrics-port"),
            new WeftdConfig.HttpEndpoint(0, 9301, false, "--healthz-port"));
        assertThat(parse("--static-leases", LEASES, "--healthz-ip=10.0.0.1", "--healthz-port=9286").httpEndpoints())
            .as("two addresses, one port").containsExactly(
                new WeftdConfig.HttpEndpoint(ip("127.0.0.1"), 9286, true, "--metrics-port"),
                new WeftdConfig.HttpEndpoint(ip("10.0.0.1"), 9286, false, "--healthz-port"));
        assertThat(parse("--static-leases", LEASES, "--metrics-port=0", "--healthz-port=9301").httpEndpoints())
            .containsExactly(new WeftdConfig.HttpEndpoint(0, 9301, false, "--healthz-port"));
        assertThat(parse("--static-leases", LEASES, "--metrics-port=0").httpEndpoints()).isEmpty();
    }

    @Test
    void shouldRefuseOnePortForEveryAddressAndAnother() {
        assertUsage("--healthz-ip 0.0.0.0 and --metrics-ip 127.0.0.1 share port 9286, and one is every address: give"
            + " both the same address (one server then serves /metrics, /healthz and /readyz) or each a port of its"
            + " own", "--static-leases", LEASES, "--healthz-port=9286");
    }

    @Test
    void shouldTakeAuthFlagsAndRefuseEncryptionWithoutAuthentication() {
        assertThat(parse("--auth=required", "--encrypt", "--auth-key-file", "/k").auth())
            .isEqualTo(new WeftdConfig.Auth(AuthMode.REQUIRED, true, Path.of("/k"), 86_400));
        assertThat(parse("--auth", "off", "--subnet-file", "/tmp/x/subnet.env").auth())
            .isEqualTo(new WeftdConfig.Auth(AuthMode.OFF, false, Path.of("/tmp/x/weft-node.key"), 86_400));
        assertThatThrownBy(() -> parse("--auth=off", "--encrypt"))
            .hasMessageContaining("--encrypt needs --auth");
        assertThat(parse("--auth-key-rotation=10").auth().keyRotationSeconds()).isEqualTo(10);
        assertThat(parse("--auth-key-rotation", "0").auth().keyRotationSeconds()).isZero();
        assertThatThrownBy(() -> parse("--auth-key-rotation=3"))
            .hasMessageContaining("--auth-key-rotation 3: 0 (never) or at least 4 seconds");
        assertThatThrownBy(() -> parse("--auth=maybe")).hasMessageContaining("--auth");
    }

    @Test
    void shouldAuthenticateByDefaultWhereLeasesCanCarryKeys() {
        assertThat(ETCD_DEFAULTS.auth()).as("etcd")
            .isEqualTo(new WeftdConfig.Auth(AuthMode.ON, false, Path.of("/run/flannel/weft-node.key"), 86_400));
        assertThat(WeftdConfig.parse(new String[] {"--kube-subnet-mgr"}, Map.of("NODE_NAME", "n1")).auth().mode())
            .as("kube").isEqualTo(AuthMode.ON);
        assertThat(parse("--encrypt").auth()).as("--encrypt alone rides on the default")
            .isEqualTo(new WeftdConfig.Auth(AuthMode.ON, true, Path.of("/run/flannel/weft-node.key"), 86_400));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--auth=on", "--auth=required", "--encrypt"})
    void shouldRefuseAuthenticationWithStaticLeasesWhichCannotCarryKeys(final String flag) {
        assertThat(parse("--static-leases", LEASES).auth().mode()).isEqualTo(AuthMode.OFF);
        assertThat(parse("--static-leases", LEASES, "--auth=off").auth().mode()).isEqualTo(AuthMode.OFF);
        assertUsage(flag.replace('=', ' ') + " with --static-leases: a lease file cannot carry the key and epoch each"
            + " start advertises, so no node could authenticate; use etcd or --kube-subnet-mgr, or leave --auth and"
            + " --encrypt (FLANNELD_AUTH, FLANNELD_ENCRYPT) out", "--static-leases", LEASES, flag);
    }

    @Test
    void shouldReadEveryFlagWhenGivenAsNameEqualsValue() {
        final WeftdConfig config = parse("--static-leases=" + LEASES, "--public-ip=192.168.100.1", "--iface=eth1",
            "--subnet-file=/tmp/subnet.env", "--cni-conf-dir=/tmp/net.d", "--ip-masq=true", "--tun-name=weft0",
            "--healthz-ip=10.0.0.3", "--healthz-port=9301", "--socket-buffer=212992", "--iptables-resync=60",
            "--iptables-forward-rules=false", "--metrics-ip=10.0.0.2", "--metrics-port=0");

        assertThat(config).isEqualTo(new WeftdConfig(Path.of(LEASES), null, ETCD_DEFAULTS.etcdEndpoints(),
            ETCD_DEFAULTS.etcdPrefix(), "", "", "",
            "", "", 60, ip("192.168.100.1"), List.of("eth1"), List.of(), 0,
            Path.of("/tmp/subnet.env"), Path.of("/tmp/net.d"), true, 60, false, "weft0", ip("10.0.0.3"), 9301,
            ip("10.0.0.2"), 0, 212992, LANES, 16, true,
            EpollIdleStrategy.Mode.ADAPTIVE, EpollIdleStrategy.DEFAULT_POLL_MICROS, true, false, true, 0,
            new WeftdConfig.Auth(AuthMode.OFF, false, Path.of("/tmp/weft-node.key"), 86_400)));
    }

    @Test
    void shouldReadEveryFlagWhenGivenAsNameThenValue() {
        final WeftdConfig config = parse("--static-leases", LEASES, "--public-ip", "192.168.100.1", "--iface", "eth1",
            "--subnet-file", "/tmp/subnet.env", "--cni-conf-dir", "/tmp/net.d", "--ip-masq", "--tun-name", "weft0",
            "--healthz-ip", "10.0.0.1", "--healthz-port", "65535", "--socket-buffer", "0", "--iptables-resync", "1",
            "--iptables-forward-rules", "--metrics-ip", "0.0.0.0", "--metrics-port", "9300");

        assertThat(config).isEqualTo(new WeftdConfig(Path.of(LEASES), null, ETCD_DEFAULTS.etcdEndpoints(),
            ETCD_DEFAULTS.etcdPrefix(), "", "", "",
            "", "", 60, ip("192.168.100.1"), List.of("eth1"), List.of(), 0,
            Path.of("/tmp/subnet.env"), Path.of("/tmp/net.d"), true, 1, true, "weft0", ip("10.0.0.1"), 65535, 0, 9300,
            0, LANES, 16, true, EpollIdleStrategy.Mode.ADAPTIVE, EpollIdleStrategy.DEFAULT_POLL_MICROS, true, false,
            true, 0,
            new WeftdConfig.Auth(AuthMode.OFF, false, Path.of("/tmp/weft-node.key"), 86_400)));
    }

    @Test
    void shouldAskForCleanupOnlyWhenCleanupIsGiven() {
        assertThat(parse("--static-leases", LEASES).cleanup()).isFalse();
        assertThat(parse("--cleanup", "--static-leases", LEASES).cleanup()).isTrue();
        assertThat(parse("-cleanup=true").cleanup()).isTrue();
        assertUsage("flag --cleanup takes true or false, not 'yes'", "--cleanup=yes");
    }

    @Test
    void shouldExitAfterAHandOverUnlessToldToWait() {
        assertThat(parse("--static-leases", LEASES).exitAfterHandover()).isTrue();
        assertThat(parse("--exit-after-handover=false").exitAfterHandover()).isFalse();
    }

    @Test
    void shouldReadGoStyleSingleDashFlagsWhenGiven() {
        final WeftdConfig config = parse("-static-leases", LEASES, "-public-ip", "192.168.100.2", "-iface=eth2",
            "-ip-masq");

        assertThat(config.staticLeases()).isEqualTo(Path.of(LEASES));
        assertThat(config.publicIp()).isEqualTo(ip("192.168.100.2"));
        assertThat(config.ifaces()).containsExactly("eth2");
        assertThat(config.ipMasq()).isTrue();
    }

    @Test
    void shouldSetIpMasqWhenTheFlagHasNoValue() {
        assertThat(parse("--static-leases", LEASES, "--ip-masq").ipMasq()).isTrue();
        assertThat(parse("--ip-masq", "--static-leases", LEASES).ipMasq()).isTrue();
    }

    @Test
    void shouldClearIpMasqWhenTheFlagIsFalse() {
        assertThat(parse("--static-leases", LEASES, "--ip-masq=false").ipMasq()).isFalse();
        assertThat(parse("--ip-masq", "--static-leases", LEASES, "--ip-masq=false").ipMasq()).as("last one wins")
            .isFalse();
    }

    @Test
    void shouldKeepEqualsSignsInTheValueWhenTheValueHasThem() {
        assertThat(parse("--static-leases=/tmp/a=b.json").staticLeases()).isEqualTo(Path.of("/tmp/a=b.json"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--etcd-endpoint=http://127.0.0.1:2379", "--kube-subnet-manager", "-vv",
        "--Public-ip=1.2.3.4", "--", "-", "---iface=eth0"})
    void shouldNameTheFlagWhenItIsUnknown(final String flag) {
        final String body = flag.startsWith("--") ? flag.substring(2) : flag.substring(1);
        final String name = body.contains("=") ? body.substring(0, body.indexOf('=')) : body;

        assertUsage("unknown flag --" + name, "--static-leases", LEASES, flag);
    }

    @Test
    void shouldNameTheArgumentWhenItIsNotAFlag() {
        assertUsage("unexpected argument 'leases.json'", "--static-leases", LEASES, "leases.json");
        assertUsage("unexpected argument 'false'", "--static-leases", LEASES, "--ip-masq", "false");
    }

    @ParameterizedTest
    @ValueSource(strings = {"static-leases", "public-ip", "iface", "subnet-file", "cni-conf-dir", "tun-name",
        "healthz-ip", "healthz-port", "metrics-ip", "metrics-port", "socket-buffer"})
    void shouldNameTheFlagWhenItsValueIsMissing(final String name) {
        assertUsage("flag --" + name + " needs a value", "--static-leases=" + LEASES, "--" + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "1", "TRUE", ""})
    void shouldRefuseIpMasqWhenItsValueIsNotABoolean(final String value) {
        assertUsage("flag --ip-masq takes true or false, not '" + value + "'", "--static-leases", LEASES,
            "--ip-masq=" + value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "192.168.100", "192.168.100.256", "192.168.100.1/24", "fd00::1", "node-a", "01.2.3.4"})
    void shouldQuoteTheAddressWhenItIsNotIpv4(final String address) {
        assertUsage("--public-ip '" + address + "' is not an IPv4 address", "--static-leases", LEASES,
            "--public-ip=" + address);
        assertUsage("--healthz-ip '" + address + "' is not an IPv4 address", "--static-leases", LEASES,
            "--healthz-ip=" + address);
        assertUsage("--metrics-ip '" + address + "' is not an IPv4 address", "--static-leases", LEASES,
            "--metrics-ip=" + address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "127.0.0.1", "127.1.2.3", "224.0.0.1", "239.255.255.250", "255.255.255.255"})
    void shouldRefuseAPublicIpOtherNodesCannotSendTo(final String address) {
        assertThatThrownBy(() -> WeftdConfig.parse(new String[] {"--public-ip", address}))
            .isInstanceOf(WeftdConfig.UsageException.class)
            .hasMessageStartingWith("--public-ip '" + address + "' is ")
            .hasMessageEndingWith(": other nodes cannot send to it");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "65536", "http", "", "8080.0", "99999999999", " 80"})
    void shouldGiveTheRangeWhenThePortIsBad(final String port) {
        assertUsage("--healthz-port '" + port + "' must be an integer in 0..65535", "--static-leases", LEASES,
            "--healthz-port=" + port);
        assertUsage("--metrics-port '" + port + "' must be an integer in 0..65535", "--static-leases", LEASES,
            "--metrics-port=" + port);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "4M", "2147483648"})
    void shouldGiveTheRangeWhenTheSocketBufferIsBad(final String bytes) {
        assertUsage("--socket-buffer '" + bytes + "' must be an integer in 0..2147483647", "--static-leases", LEASES,
            "--socket-buffer", bytes);
    }

    @Test
    void shouldUseEtcdAsFlanneldDoesWhenNoStaticLeasesAreGiven() {
        final WeftdConfig config = parse("--etcd-endpoints", "http://10.0.0.1:2379,https://10.0.0.2:2379",
            "--etcd-prefix", "/weft/network", "--etcd-cafile", "/ca.pem", "--etcd-username", "weft",
            "--subnet-lease-renew-margin", "30");
        assertThat(config.staticLeases()).isNull();
        assertThat(config.etcdEndpoints()).containsExactly("http://10.0.0.1:2379", "https://10.0.0.2:2379");
        assertThat(config.etcdPrefix()).isEqualTo("/weft/network");
        assertThat(config.etcdCaFile()).isEqualTo("/ca.pem");
        assertThat(config.etcdUsername()).isEqualTo("weft");
        assertThat(config.subnetLeaseRenewMarginMinutes()).isEqualTo(30);
        assertThat(ETCD_DEFAULTS.etcdEndpoints()).containsExactly("http://127.0.0.1:2379");
        assertThat(ETCD_DEFAULTS.etcdPrefix()).isEqualTo("/coreos.com/network");
        assertUsage("--etcd-endpoints entry '10.0.0.1:2379' must be an http:// or https:// URL", "--etcd-endpoints",
            "10.0.0.1:2379");
        assertUsage("--etcd-prefix 'coreos' must start with /", "--etcd-prefix", "coreos");
    }

    @Test
    void shouldParseTheFastPathFlags() {
        final WeftdConfig config = parse("--lanes", "4", "--offload", "off", "--idle", "spin", "--batch", "1",
            "--idle-poll-us", "50");
        assertThat(config.lanes()).isEqualTo(4);
        assertThat(config.batch()).isEqualTo(1);
        assertThat(config.offload()).isFalse();
        assertThat(config.idle()).isEqualTo(EpollIdleStrategy.Mode.SPIN);
        assertThat(config.idlePollMicros()).isEqualTo(50);
        assertUsage("--idle-poll-us '0' must be an integer in 1..1000000", "--idle-poll-us", "0");
        assertUsage("--iptables-resync '0' must be an integer in 1..86400", "--iptables-resync", "0");
        assertUsage("--offload 'on' must be one of auto, off", "--offload", "on");
        assertThat(parse("--idle", "backoff").idle()).isEqualTo(EpollIdleStrategy.Mode.BACKOFF);
        assertUsage("--idle 'poll' must be one of spin, backoff, adaptive, block", "--idle", "poll");
        assertUsage("--lanes '0' must be an integer in 1..64", "--lanes", "0");
        assertThat(config.jitThreadsIdle()).as("--jit-threads idle by default").isTrue();
        assertThat(parse("--jit-threads", "normal").jitThreadsIdle()).isFalse();
        assertUsage("--jit-threads 'low' must be one of idle, normal", "--jit-threads", "low");
    }

    @Test
    void shouldRefuseTheTunNameWhenItDoesNotFitIfnamsiz() {
        assertThat(parse("--static-leases", LEASES, "--tun-name", "a23456789012345").tunName())
            .isEqualTo("a23456789012345");
        assertUsage("--tun-name must have 1 to 15 characters", "--static-leases", LEASES, "--tun-name",
            "a234567890123456");
        assertUsage("--tun-name must have 1 to 15 characters", "--static-leases", LEASES, "--tun-name=");
    }

    @Test
    void shouldWantHelpWhenAnyHelpFlagIsGiven() {
        assertThat(WeftdConfig.wantsHelp(new String[] {"--help"})).isTrue();
        assertThat(WeftdConfig.wantsHelp(new String[] {"--iface", "eth0", "-h"})).isTrue();
        assertThat(WeftdConfig.wantsHelp(new String[] {"-help"})).isTrue();
        assertThat(WeftdConfig.wantsHelp(new String[] {"--static-leases", LEASES})).isFalse();
        assertThat(WeftdConfig.wantsHelp(new String[0])).isFalse();
    }

    @Test
    void shouldMentionEveryFlagWhenPrintingUsage() {
        for (final String flag : new String[] {"--static-leases", "--public-ip", "--iface", "--subnet-file",
            "--cni-conf-dir", "--ip-masq", "--tun-name", "--healthz-ip", "--healthz-port", "--metrics-ip",
            "--metrics-port", "--socket-buffer"}) {
            assertThat(WeftdConfig.usage()).contains("  " + flag + " ");
        }
    }

    private static WeftdConfig parse(final String... args) {
        return WeftdConfig.parse(args, Map.of());
    }

    private static void assertUsage(final String message, final String... args) {
        assertThatThrownBy(() -> WeftdConfig.parse(args, Map.of()))
            .isInstanceOf(WeftdConfig.UsageException.class)
            .hasMessage(message);
    }
}
