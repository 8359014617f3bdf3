package io.weft.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.weft.routing.Ipv4Prefix;

class SubnetEnvFileTest {
    @TempDir
    Path directory;

    @Test
    void shouldWriteExactlyWhatFlannelWritesWhenGivenTheLease() throws IOException {
        final Path file = directory.resolve("run/flannel/subnet.env");

        SubnetEnvFile.write(file, Ipv4Prefix.parse("10.244.0.0/16"), Ipv4Prefix.parse("10.244.1.0/24"), 1472, true);

        assertThat(Files.readString(file)).isEqualTo("FLANNEL_NETWORK=10.244.0.0/16\n" +
            "FLANNEL_SUBNET=10.244.1.1/24\n" +
            "FLANNEL_MTU=1472\n" +
            "FLANNEL_IPMASQ=true\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).as("no temporary file left").containsExactly(file);
        }
    }

    @Test
    void shouldReadBackThePreviousSubnetWhenTheFileWasWrittenBefore() throws IOException {
        final Path file = directory.resolve("subnet.env");
        SubnetEnvFile.write(file, Ipv4Prefix.parse("10.0.0.0/8"), Ipv4Prefix.parse("10.20.48.0/20"), 8950, false);

        assertThat(SubnetEnvFile.readSubnet(file)).isEqualTo(Ipv4Prefix.parse("10.20.48.0/20"));
    }

    @Test
    void shouldReplaceTheFileWhenWrittenAgain() throws IOException {
        final Path file = directory.resolve("subnet.env");
        SubnetEnvFile.write(file, Ipv4Prefix.parse("10.244.0.0/16"), Ipv4Prefix.parse("10.244.1.0/24"), 1472, true);

        SubnetEnvFile.write(file, Ipv4Prefix.parse("10.244.0.0/16"), Ipv4Prefix.parse("10.244.3.0/24"), 1450, false);

        assertThat(SubnetEnvFile.readSubnet(file)).isEqualTo(Ipv4Prefix.parse("10.244.3.0/24"));
        assertThat(Files.readString(file)).contains("FLANNEL_MTU=1450\n", "FLANNEL_IPMASQ=false\n");
    }

    @Test
    void shouldReadTheSubnetWhenTheFileWasWrittenByHandWithOtherLines() throws IOException {
        final Path file = Files.writeString(directory.resolve("subnet.env"),
            "# from flanneld\r\nFLANNEL_NETWORK=10.244.0.0/16\r\n  FLANNEL_SUBNET=10.244.7.1/24  \r\n");

        assertThat(SubnetEnvFile.readSubnet(file)).isEqualTo(Ipv4Prefix.parse("10.244.7.0/24"));
    }

    @Test
    void shouldReturnNullWhenTheFileIsMissing() {
        assertThat(SubnetEnvFile.readSubnet(directory.resolve("absent.env"))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "FLANNEL_NETWORK=10.244.0.0/16\n", "FLANNEL_SUBNET=\n", "FLANNEL_SUBNET=10.244.1.1\n",
        "FLANNEL_SUBNET=10.244.1.1/33\n", "FLANNEL_SUBNET=10.244.1/24\n", "FLANNEL_SUBNET=banana/24\n",
        "\u0000\u00ff garbage"})
    void shouldReturnNullWhenTheFileCannotBeParsed(final String content) throws IOException {
        final Path file = Files.writeString(directory.resolve("subnet.env"), content);

        assertThat(SubnetEnvFile.readSubnet(file)).isNull();
    }
}
