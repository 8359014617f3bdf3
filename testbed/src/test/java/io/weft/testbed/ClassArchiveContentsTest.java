package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the build's class archive holds: each class in it is resident in every weftd, loaded or not (docs/footprint.md,
 * "The archive without the kube mode's classes"), so it holds the classes a start loads and not the kube mode's.
 */
class ClassArchiveContentsTest {
    @Test
    void shouldHoldWhatAStartLoadsAndNotTheKubeModesClasses(@TempDir Path dir) throws IOException,
        InterruptedException {
        assumeTrue(System.getProperty(WeftdProcess.JAR_PROPERTY, "").isBlank(),
            "-D" + WeftdProcess.JAR_PROPERTY + " names a jar of its own, which no build archived here");
        Path jar = WeftdProcess.locateJar();
        Path archive = jar.resolveSibling(WeftdProcess.CLASS_ARCHIVE_FILE);
        assertThat(archive).as("the build's class archive").isRegularFile();

        List<String> archived = archivedClasses(jar, archive, dir.resolve("listing.txt"));

        assertThat(archived).as("classes every start loads")
            .contains("picocli.CommandLine", "io.weft.dataplane.node.Daemon", "io.weft.registry.etcd.EtcdHttp",
                "io.weft.auth.NodeKey");
        assertThat(archived).as("kube mode's classes, fabric8's Jackson and the JDK's URL connection")
            .noneMatch(name -> name.startsWith("io.weft.registry.kube.") || name.startsWith("tools.jackson.")
                || name.startsWith("io.fabric8.") || name.equals("sun.net.www.protocol.http.HttpURLConnection"));
    }

    /** The names of the archive's classes, as a JVM with weftd's options that maps it lists them. */
    private static List<String> archivedClasses(Path jar, Path archive, Path listing) throws IOException,
        InterruptedException {
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "@" + jar.resolveSibling(WeftdProcess.JVM_OPTIONS_FILE), "-XX:SharedArchiveFile=" + archive,
            "-XX:+PrintSharedArchiveAndExit", "-cp", jar.toString())
            .redirectErrorStream(true).redirectOutput(listing.toFile()).start();
        boolean ended = java.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            java.destroyForcibly().waitFor();
        }
        List<String> lines = Files.readAllLines(listing);
        assertThat(ended).as("java -XX:+PrintSharedArchiveAndExit ended within 60 s").isTrue();
        assertThat(java.exitValue()).as(lines.stream().limit(20).toList().toString()).isZero();
        // Lines such as "   12: java.util.Set boot_loader".
        return lines.stream().map(String::strip).filter(line -> line.matches("\\d+: \\S+ .*"))
            .map(line -> line.split(" ")[1]).toList();
    }
}
