package io.weft.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine, for the report: cores, memory, kernel, CPU model. */
final class MachineDescription {
    private MachineDescription() {
    }

    static String describe() {
        String model = "unknown CPU";
        long memoryKb = 0;
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(model);
            memoryKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                .findFirst().map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElse(0L);
        } catch (IOException | RuntimeException e) {
            // The report says what it could read.
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + memoryKb / 1024 / 1024 + " GiB, Linux "
            + System.getProperty("os.version") + ", " + model;
    }
}
