package io.weft.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.registry.kube.KubeClientProbe;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kube mode's client in weftd.jar as shipped: fabric8's models register all 351 kinds of every API group as
 * services, and its deserializer instantiated each one at the client's start (about a thousand classes loaded and
 * resident, docs/footprint.md); the jar registers only what weftd reads, and a node's watch event still reads as a
 * Node.
 */
class KubeClientClassesTest {
    /** Node, NodeList, Status and what they hold, ObjectMeta and the like: about a hundred; all the kinds were ~700. */
    private static final int MOST_MODEL_CLASSES = 250;

    @Test
    void shouldLoadOnlyTheKindsWeftdReadsAndStillReadANodesWatchEvent(@TempDir Path dir) throws IOException,
        InterruptedException {
        Path jar = WeftdProcess.locateJar();
        Path probeClasses =
            Path.of(KubeClientProbe.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path output = dir.resolve("probe.txt");
        Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xshare:off", "-Xlog:class+load=info:stdout", "-cp", jar + File.pathSeparator + probeClasses,
            KubeClientProbe.class.getName()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean ended = probe.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            probe.destroyForcibly().waitFor();
        }
        List<String> lines = Files.readAllLines(output);
        assertThat(ended).as("the probe's JVM ended within 60 s").isTrue();

        assertThat(probe.exitValue()).as("the probe's exit status; its last lines: %s",
            lines.subList(Math.max(0, lines.size() - 5), lines.size())).isZero();
        List<String> models = lines.stream().filter(line -> line.contains(" io.fabric8.kubernetes.api.model."))
            .toList();
        assertThat(models).as("fabric8 model classes loaded").hasSizeLessThan(MOST_MODEL_CLASSES)
            .noneMatch(line -> line.contains(".model.gatewayapi.") || line.contains(".model.storage."));
    }
}
