package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Every flag from {@code FLANNELD_<FLAG>}, as flanneld's flagutil reads it; the command line wins. */
class WeftdEnvFlagsTest {
    /** A value for each flag that is valid and not its default, so reading it shows. */
    private static final Map<String, String> SAMPLES = samples();
    /** These take effect only with the kube subnet manager on. */
    private static final Set<String> KUBE_ONLY = Set.of("--kube-api-url", "--kubeconfig-file",
        "--kube-annotation-prefix", "--net-config-path", "--set-node-network-unavailable");
    private static final Map<String, String> NODE = Map.of("NODE_NAME", "node-a");

    @Test
    void shouldHaveASampleForEveryFlagWhenTestingTheirVariables() {
        final List<String> flags = new CommandLine(new WeftdFlags()).getCommandSpec().options().stream()
            .filter(option -> !option.usageHelp() && !option.versionHelp()).map(OptionSpec::longestName).toList();

        assertThat(SAMPLES.keySet()).containsExactlyInAnyOrderElementsOf(flags);
    }

    @Test
    void shouldReadEachFlagFromItsVariableAsFromTheCommandLine() {
        for (final Map.Entry<String, String> sample : SAMPLES.entrySet()) {
            final String flag = sample.getKey();
            final String[] context = KUBE_ONLY.contains(flag) ? new String[] {"--kube-subnet-mgr"}
                : flag.equals("--encrypt") ? new String[] {"--auth=on"} : new String[0];
            final Map<String, String> env = new HashMap<>(NODE);
            env.put(WeftdConfig.envName(flag), sample.getValue());

            final WeftdConfig fromEnv = WeftdConfig.parse(context, env);
            final WeftdConfig fromFlag = WeftdConfig.parse(concat(context, flag + "=" + sample.getValue()), NODE);
            final WeftdConfig without = WeftdConfig.parse(context, NODE);

            assertThat(fromEnv).as("%s from %s", flag, WeftdConfig.envName(flag)).isEqualTo(fromFlag)
                .isNotEqualTo(without);
        }
    }

    @Test
    void shouldNameVariablesAsFlanneldWhenConvertingFlagNames() {
        assertThat(WeftdConfig.envName("--etcd-endpoints")).isEqualTo("FLANNELD_ETCD_ENDPOINTS");
        assertThat(WeftdConfig.envName("--ip-masq")).isEqualTo("FLANNELD_IP_MASQ");
        assertThat(WeftdConfig.envName("--iface")).isEqualTo("FLANNELD_IFACE");
    }

    @Test
    void shouldPreferTheCommandLineWhenAFlagIsInBoth() {
        final WeftdConfig config = WeftdConfig.parse(new String[] {"--tun-name", "cli0", "--ip-masq=false"},
            Map.of("FLANNELD_TUN_NAME", "env0", "FLANNELD_IP_MASQ", "true"));

        assertThat(config.tunName()).isEqualTo("cli0");
        assertThat(config.ipMasq()).isFalse();
    }

    @Test
    void shouldKeepTheDefaultWhenTheVariableIsEmpty() {
        final WeftdConfig config = WeftdConfig.parse(new String[0], Map.of("FLANNELD_TUN_NAME", ""));

        assertThat(config.tunName()).isEqualTo("flannel0");
    }

    @Test
    void shouldCheckAVariableAsTheFlagWhenItsValueIsWrong() {
        assertThatThrownBy(() -> WeftdConfig.parse(new String[0], Map.of("FLANNELD_HEALTHZ_PORT", "http")))
            .isInstanceOf(WeftdConfig.UsageException.class).hasMessageContaining("--healthz-port 'http'");
    }

    private static String[] concat(final String[] context, final String arg) {
        final String[] out = Arrays.copyOf(context, context.length + 1);
        out[context.length] = arg;
        return out;
    }

    private static Map<String, String> samples() {
        final Map<String, String> samples = new LinkedHashMap<>();
        samples.put("--etcd-endpoints", "https://10.0.0.1:2379,https://10.0.0.2:2379");
        samples.put("--etcd-prefix", "/weft/network");
        samples.put("--etcd-cafile", "/etc/etcd/ca.pem");
        samples.put("--etcd-certfile", "/etc/etcd/client.pem");
        samples.put("--etcd-keyfile", "/etc/etcd/client-key.pem");
        samples.put("--etcd-username", "flannel");
        samples.put("--etcd-password", "secret");
        samples.put("--subnet-lease-renew-margin", "30");
        samples.put("--static-leases", "/etc/weft/leases.json");
        samples.put("--kube-subnet-mgr", "true");
        samples.put("--kube-api-url", "https://10.0.0.1:6443");
        samples.put("--kubeconfig-file", "/etc/kubernetes/flannel.conf");
        samples.put("--kube-annotation-prefix", "weft.example.com");
        samples.put("--net-config-path", "/etc/weft/net-conf.json");
        samples.put("--set-node-network-unavailable", "false");
        samples.put("--public-ip", "192.168.100.1");
        samples.put("--iface", "eth1");
        samples.put("--iface-regex", "^eth[0-9]+$");
        samples.put("--iface-can-reach", "10.0.0.1");
        samples.put("--subnet-file", "/tmp/subnet.env");
        samples.put("--cni-conf-dir", "/tmp/net.d");
        samples.put("--ip-masq", "true");
        samples.put("--iptables-resync", "60");
        samples.put("--iptables-forward-rules", "false");
        samples.put("--tun-name", "weft0");
        samples.put("--healthz-ip", "10.0.0.1");
        samples.put("--healthz-port", "8471");
        samples.put("--metrics-ip", "10.0.0.2");
        samples.put("--metrics-port", "8472");
        samples.put("--socket-buffer", "212992");
        samples.put("--lanes", "" + (WeftdConfig.defaultLanes() == 3 ? 5 : 3));
        samples.put("--batch", "8");
        samples.put("--offload", "off");
        samples.put("--idle", "spin");
        samples.put("--idle-poll-us", "7");
        samples.put("--jit-threads", "normal");
        samples.put("--v", "2");
        samples.put("--cleanup", "true");
        samples.put("--exit-after-handover", "false");
        samples.put("--auth", "required");
        samples.put("--encrypt", "true");
        samples.put("--auth-key-file", "/etc/weft/node.key");
        samples.put("--auth-key-rotation", "3600");
        return samples;
    }
}
