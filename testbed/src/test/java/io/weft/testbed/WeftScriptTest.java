package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ./weft launcher, as a node and an operator run it. */
class WeftScriptTest {
    @TempDir
    Path dir;

    /**
     * On a node, ./weft daemon runs weftd and nothing else. Before, it ran apt-get (installing etcd-server, whose
     * package starts a local etcd on weftd's default endpoint) and Maven as root on every start.
     */
    @Test
    void shouldNeitherInstallNorBuildWhenRunningTheDaemon() throws IOException {
        Path repo = WeftdProcess.locateJar().getParent().getParent().getParent();
        Path calls = dir.resolve("calls");
        Files.createFile(calls);
        Path bin = Files.createDirectory(dir.resolve("bin"));
        for (String tool : List.of("apt-get", "dpkg-query", "mvn")) {
            Path shim = bin.resolve(tool);
            Files.writeString(shim, "#!/bin/sh\necho " + tool + " >> " + calls + "\nexit 1\n");
            Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
        }

        ExecResult result = Shell.run(List.of(repo.resolve("weft").toString(), "daemon", "--help"),
            Map.of("PATH", bin + ":" + System.getenv("PATH")), null, Duration.ofSeconds(60));

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.stdout()).contains("Usage: weftd").contains("--etcd-endpoints");
        assertThat(Files.readString(calls)).as("tools ./weft daemon ran").isEmpty();
    }
}
