package io.weft.dataplane.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sysctl write, on a stand-in for /proc/sys/net/ipv6/conf; the kernel's side is WeftdLifecycleTest's. */
class Ipv6OffTest {
    @TempDir
    Path conf;

    @Test
    void shouldWriteOneToTheDevicesDisableIpv6() throws IOException {
        Files.createDirectories(conf.resolve("flannel0"));
        Files.writeString(conf.resolve("flannel0/disable_ipv6"), "0\n");

        Ipv6Off.disable(conf, "flannel0");

        assertThat(Files.readString(conf.resolve("flannel0/disable_ipv6"))).isEqualTo("1");
    }

    @Test
    void shouldDoNothingWhenTheKernelHasNoIpv6() {
        Ipv6Off.disable(conf.resolve("absent"), "flannel0");

        assertThat(conf.resolve("absent")).doesNotExist();
    }
}
