package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the build's class archive holds. The JVM relocates the archive at every start (address space layout
 * randomization), writing to every page of it, so each class it holds is resident in every weftd whether a start
 * loads it or not: it holds what an etcd-mode start loads, and not the kube mode's classes, whose Jackson alone is
 * hundreds of classes (docs/footprint.md).
 */
class ClassArchiveContentsTest {
    @Test
    void shouldHoldWhatAStartLoadsAndNotTheKubeModesClasses() throws IOException, InterruptedException {
        Path jar = WeftdProcess.locateJar();
        Path archive = jar.resolveSibling(WeftdProcess.CLASS_ARCHIVE_FILE);
        assumeTrue(System.getProperty(WeftdProcess.JAR_PROPERTY, "").isBlank(),
            "-D" + WeftdProcess.JAR_PROPERTY + " names a jar of its own, which no build archived here");
        assertThat(archive).as("the build's class archive").isRegularFile();

        List<String> archived = archivedClasses(jar, archive);

        assertThat(archived).as("classes every start loads")
            .contains("picocli.CommandLine", "io.weft.dataplane.node.Daemon", "io.weft.registry.etcd.EtcdHttp",
                "io.weft.auth.NodeKey");
        assertThat(archived).as("kube mode's classes, fabric8's Jackson and the JDK's URL connection")
            .noneMatch(name -> name.startsWith("io.weft.registry.kube.") || name.startsWith("tools.jackson.")
                || name.startsWith("io.fabric8.") || name.equals("sun.net.www.protocol.http.HttpURLConnection"));
    }

    /** The names of the archive's classes, as the JVM that maps it lists them. */
    private static List<String> archivedClasses(Path jar, Path archive) throws IOException, InterruptedException {
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:SharedArchiveFile=" + archive, "-XX:+PrintSharedArchiveAndExit", "-cp", jar.toString())
            .redirectErrorStream(true).start();
        byte[] output = java.getInputStream().readAllBytes();
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).as("java -XX:+PrintSharedArchiveAndExit ended").isTrue();
        String listing = new String(output, StandardCharsets.UTF_8);
        assertThat(java.exitValue()).as(listing.lines().limit(20).toList().toString()).isZero();
        // Lines such as "   12: java.util.Set boot_loader".
        return listing.lines().map(String::strip).filter(line -> line.matches("\\d+: \\S+ .*"))
            .map(line -> line.split(" ")[1]).toList();
    }
}
