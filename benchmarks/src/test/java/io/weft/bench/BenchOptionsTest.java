package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void shouldUseDocumentedDefaultsWhenNoFlagsAreGiven() {
        BenchOptions options = BenchOptions.defaults();

        assertThat(options.rounds()).isEqualTo(3);
        assertThat(options.seconds()).isEqualTo(10);
        assertThat(options.variants()).containsExactly(Variant.HOST_GW, Variant.VXLAN, Variant.WEFT_BASELINE,
            Variant.WEFT, Variant.WEFT_SPIN, Variant.WEFT_ETCD, Variant.WEFT_AUTH, Variant.WEFT_ENCRYPT,
            Variant.WIREGUARD_GO);
        assertThat(options.output()).isEqualTo(Path.of("perf-reports/results/e2e.json"));
        assertThat(options.pinning()).isTrue();
        assertThat(options.cpus()).containsExactly(0, 1);
        assertThat(options.tcpCongestion()).isEqualTo("cubic");
        assertThat(options.natRules()).isTrue();
    }

    @Test
    void shouldParseEveryFlagWhenGiven() {
        BenchOptions options = BenchOptions.parse(new String[] {"--rounds", "1", "--seconds", "2",
            "--warmup-seconds", "0", "--variants", "weft, host-gw,weft", "--out", "x.json", "--udp-bitrate", "500M",
            "--ping-interval-ms", "20", "--cpus", "1,0", "--no-pin", "--tcp-congestion", "bbr", "--nat-rules", "off"});

        assertThat(options).isEqualTo(new BenchOptions(1, 2, 0, List.of(Variant.WEFT, Variant.HOST_GW),
            Path.of("x.json"), "500M", 20, false, List.of(1, 0), "bbr", false));
    }

    @Test
    void shouldRotateTheVariantOrderWhenRoundsAdvance() {
        BenchOptions options = BenchOptions.defaults();

        assertThat(options.order(1)).containsExactly(Variant.HOST_GW, Variant.VXLAN, Variant.WEFT_BASELINE,
            Variant.WEFT, Variant.WEFT_SPIN, Variant.WEFT_ETCD, Variant.WEFT_AUTH, Variant.WEFT_ENCRYPT,
            Variant.WIREGUARD_GO);
        assertThat(options.order(2)).containsExactly(Variant.VXLAN, Variant.WEFT_BASELINE, Variant.WEFT,
            Variant.WEFT_SPIN, Variant.WEFT_ETCD, Variant.WEFT_AUTH, Variant.WEFT_ENCRYPT, Variant.WIREGUARD_GO,
            Variant.HOST_GW);
        assertThat(options.order(10)).isEqualTo(options.order(1));
    }

    @Test
    void shouldRefuseUnknownVariantsAndFlagsWhenParsing() {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--variants", "flannel"}))
            .hasMessageContaining("unknown variant 'flannel'");
        assertThat(BenchOptions.parse(new String[] {"--variants", "weft-etcd,weft-auth,weft-encrypt"}).variants())
            .containsExactly(Variant.WEFT_ETCD, Variant.WEFT_AUTH, Variant.WEFT_ENCRYPT);
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--lanes", "2"})).hasMessageContaining("--lanes");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--rounds"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--rounds", "0"})).hasMessageContaining("positive");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--tcp-congestion", "../bbr"}))
            .hasMessageContaining("--tcp-congestion needs an algorithm's name");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--nat-rules", "no"}))
            .hasMessage("--nat-rules takes on or off, not 'no'");
    }

    @Test
    void shouldRunWeftBeforeOnlyWhenAskedAndFromAJarThatIsThere() {
        assertThat(BenchOptions.parse(new String[] {"--variants", "weft-before,weft"}).variants())
            .containsExactly(Variant.WEFT_BEFORE, Variant.WEFT);
        String was = System.getProperty(Variant.BEFORE_JAR_PROPERTY);
        try {
            System.clearProperty(Variant.BEFORE_JAR_PROPERTY);
            assertThatThrownBy(Variant::beforeJar).hasMessageContaining("-D" + Variant.BEFORE_JAR_PROPERTY);
            System.setProperty(Variant.BEFORE_JAR_PROPERTY, "/nonexistent/weftd.jar");
            assertThatThrownBy(Variant::beforeJar).hasMessageContaining("no file /nonexistent/weftd.jar");
        } finally {
            if (was == null) {
                System.clearProperty(Variant.BEFORE_JAR_PROPERTY);
            } else {
                System.setProperty(Variant.BEFORE_JAR_PROPERTY, was);
            }
        }
    }
}
