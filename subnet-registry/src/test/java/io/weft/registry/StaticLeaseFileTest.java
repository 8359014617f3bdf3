package io.weft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.weft.routing.Ipv4Prefix;

class StaticLeaseFileTest {
    @TempDir
    Path directory;

    @Test
    void shouldLoadConfigAndLeasesWhenTheFileIsGood() throws IOException {
        final Path file = write("{'config':{'Network':'10.244.0.0/16','Backend':{'Type':'udp','Port':8285}}," +
            "'subnets':{" +
            "'10.244.1.0-24':{'PublicIP':'192.168.100.1','PublicIPv6':null}," +
            "'10.244.2.0-24':{'PublicIP':'192.168.100.2','BackendType':'udp'}}}");

        final StaticLeaseFile.Contents contents = StaticLeaseFile.load(file);

        assertThat(contents.config().network()).isEqualTo(Ipv4Prefix.parse("10.244.0.0/16"));
        assertThat(contents.config().backendPort()).isEqualTo(8285);
        assertThat(contents.leases()).containsExactly(
            new Lease(Ipv4Prefix.parse("10.244.1.0/24"), ip("192.168.100.1")),
            new Lease(Ipv4Prefix.parse("10.244.2.0/24"), ip("192.168.100.2")));
        assertThat(contents.skipped()).isEmpty();
    }

    @Test
    void shouldLoadNoLeaseWhenSubnetsAreMissing() throws IOException {
        final StaticLeaseFile.Contents contents = StaticLeaseFile.load(write("{'config':{'Network':'10.0.0.0/8'}}"));

        assertThat(contents.leases()).isEmpty();
        assertThat(contents.skipped()).isEmpty();
    }

    @Test
    void shouldSkipBadLeasesWithTheirReasonWhenOthersAreGood() throws IOException {
        final Path file = write("{'config':{'Network':'10.244.0.0/16'},'subnets':{" +
            "'10.244.1.0-24':{'PublicIP':'192.168.100.1'}," +
            "'10.244.2.0-24':{'PublicIP':'nope'}," +
            "'10.99.3.0-24':{'PublicIP':'192.168.100.3'}," +
            "'garbage':{'PublicIP':'192.168.100.4'}," +
            "'10.244.5.0-24':{'PublicIPv6':'fd00::5'}," +
            "'10.244.6.0-24':{'PublicIP':'192.168.100.6'}}}");

        final StaticLeaseFile.Contents contents = StaticLeaseFile.load(file);

        assertThat(contents.leases()).containsExactly(
            new Lease(Ipv4Prefix.parse("10.244.1.0/24"), ip("192.168.100.1")),
            new Lease(Ipv4Prefix.parse("10.244.6.0/24"), ip("192.168.100.6")));
        assertThat(contents.skipped()).containsExactly(
            "subnets/10.244.2.0-24: PublicIP \"nope\" is not an IPv4 address",
            "subnets/10.99.3.0-24: subnet 10.99.3.0/24 is not a /24 inside Network 10.244.0.0/16",
            "subnets/garbage: key \"garbage\" is not a subnet name like 10.244.1.0-24",
            "subnets/10.244.5.0-24: value has no PublicIP string: {\"PublicIPv6\":\"fd00::5\"}");
    }

    @Test
    void shouldNameTheKeyAndTheFileWhenTheConfigIsBad() throws IOException {
        final Path file = write("{'config':{'Network':'10.244.0.0/16','SubnetLen':40},'subnets':{}}");

        assertThatThrownBy(() -> StaticLeaseFile.load(file))
            .isInstanceOf(IOException.class)
            .hasMessageStartingWith("invalid network config in " + file + ": ")
            .hasMessageContaining("SubnetLen 40")
            .hasCauseInstanceOf(NetworkConfig.InvalidConfigException.class);
    }

    @Test
    void shouldNameTheFileWhenTheConfigIsMissing() throws IOException {
        final Path file = write("{'subnets':{'10.244.1.0-24':{'PublicIP':'192.168.100.1'}}}");

        assertThatThrownBy(() -> StaticLeaseFile.load(file))
            .isInstanceOf(IOException.class)
            .hasMessage("invalid network config in " + file + ": network config must be a JSON object");
    }

    @Test
    void shouldNameThePathWhenTheFileIsMissing() {
        final Path missing = directory.resolve("no-such-leases.json");

        assertThatThrownBy(() -> StaticLeaseFile.load(missing))
            .isInstanceOf(IOException.class)
            .hasMessageStartingWith("cannot read lease file " + missing);
    }

    @Test
    void shouldNameThePathWhenTheFileIsNotJson() throws IOException {
        final Path file = write("{'config': ");

        assertThatThrownBy(() -> StaticLeaseFile.load(file))
            .isInstanceOf(IOException.class)
            .hasMessageStartingWith("cannot read lease file " + file + ": ");
    }

    @Test
    void shouldNameThePathWhenTheFileHoldsNoObject() throws IOException {
        for (final String content : new String[] {"[]", "'config'", "", "null"}) {
            final Path file = write(content);

            assertThatThrownBy(() -> StaticLeaseFile.load(file))
                .as(content)
                .isInstanceOf(IOException.class)
                .hasMessage("lease file " + file + " must hold a JSON object with \"config\" and \"subnets\"");
        }
    }

    private Path write(final String singleQuotedJson) throws IOException {
        final Path file = directory.resolve("leases.json");
        Files.writeString(file, singleQuotedJson.replace('\'', '"'));
        return file;
    }

    private static int ip(final String dotted) {
        return io.weft.routing.Ipv4Addresses.parse(dotted);
    }
}
