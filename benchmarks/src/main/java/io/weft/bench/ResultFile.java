package io.weft.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * The harness's machine-readable output, rewritten atomically after every measured variant so an interrupted run keeps
 * what it measured:
 * <pre>
 * {"format": "weft-e2e/1", "machine": {nproc, kernel, date, cpuModel, commandLine, ...},
 *  "settings": {rounds, seconds, variants, pinning, ...},
 *  "results": [{"variant": "vxlan", "round": 1, "metric": "tcp_1_stream", "value": 9.1, "unit": "Gbit/s"}, ...],
 *  "errors": [{"variant": "weft", "round": 2, "message": "..."}]}
 * </pre>
 */
final class ResultFile {
    static final String FORMAT = "weft-e2e/1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path path;
    private final ObjectNode root = JSON.createObjectNode();
    private final ArrayNode results;
    private final ArrayNode errors;

    ResultFile(Path path, Map<String, Object> machine, Map<String, Object> settings) {
        this.path = path;
        root.put("format", FORMAT);
        root.set("machine", JSON.valueToTree(machine));
        root.set("settings", JSON.valueToTree(settings));
        results = root.putArray("results");
        errors = root.putArray("errors");
    }

    void add(List<Sample> samples) {
        for (Sample sample : samples) {
            ObjectNode result = results.addObject();
            result.put("variant", sample.variant());
            result.put("round", sample.round());
            result.put("metric", sample.metric().key());
            result.put("value", sample.value());
            result.put("unit", sample.metric().unit());
        }
    }

    void addError(String variant, int round, String message) {
        ObjectNode error = errors.addObject();
        error.put("variant", variant);
        error.put("round", round);
        error.put("message", message);
    }

    int errorCount() {
        return errors.size();
    }

    Path path() {
        return path;
    }

    /** Writes through a temporary file and a rename, so readers never see half a file. */
    void write() {
        write(path, root);
    }

    /** {@code root} as indented JSON into {@code path}, as {@link #write()} does: the harnesses' other result files. */
    static void write(Path path, Object root) {
        try {
            Path directory = path.toAbsolutePath().getParent();
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, "." + path.getFileName(), ".tmp");
            JSON.writeValue(temporary.toFile(), root);
            // createTempFile makes it owner-only; the result is meant to be read (and committed) by anyone.
            if (Files.getFileStore(temporary).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }
}
