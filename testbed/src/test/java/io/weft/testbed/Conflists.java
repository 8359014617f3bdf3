package io.weft.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The conflist weftd writes (flannel's delegate shape) for a node subnet. */
final class Conflists {

    private Conflists() {
    }

    static String weft(String subnet) {
        return "{\"name\":\"cbr0\",\"cniVersion\":\"0.3.1\",\"plugins\":[{\"type\":\"bridge\",\"bridge\":\"cni0\","
            + "\"isGateway\":true,\"isDefaultGateway\":true,\"hairpinMode\":true,\"ipMasq\":true,\"mtu\":1472,"
            + "\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"" + subnet + "\"}]],"
            + "\"routes\":[{\"dst\":\"10.244.0.0/16\"}]}},"
            + "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}]}";
    }

    /** Writes it as {@code <dir>/10-weft.conflist}, where weftd's --cni-conf-dir would put it. */
    static Path write(Path dir, String subnet) {
        try {
            Files.createDirectories(dir);
            return Files.writeString(dir.resolve("10-weft.conflist"), weft(subnet));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
