package io.weft.testbed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;

/**
 * Writes weftd's {@code --static-leases} file: flannel's network config and subnet leases, with flannel's key format
 * ({@code 10.244.1.0-24}) and value format ({@code {"PublicIP":..,"PublicIPv6":null}}).
 */
public final class StaticLeases {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StaticLeases() {
    }

    /**
     * Writes (atomically) {@code {"config":{"Network":..,"SubnetLen":..,"Backend":{"Type":"udp","Port":..}},
     * "subnets":{"10.244.1.0-24":{"PublicIP":"192.168.213.1","PublicIPv6":null},..}}}; subnets are given as CIDR
     * ({@code 10.244.1.0/24}) to public IP, in the map's iteration order.
     */
    public static Path write(Path file, String network, int subnetLen, int backendPort, Map<String, String> subnets) {
        return write(file, network, subnetLen, backendPort, subnets, Set.of());
    }

    /**
     * As {@link #write(Path, String, int, int, Map)}, the leases of {@code partialChecksumSubnets} saying
     * {@code "BackendData":{"WeftPartialChecksums":true}}: their weftd runs with TUN offloads, as its own lease in
     * etcd would say.
     */
    public static Path write(Path file, String network, int subnetLen, int backendPort, Map<String, String> subnets,
        Set<String> partialChecksumSubnets) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            Files.writeString(temp, render(network, subnetLen, backendPort, subnets, partialChecksumSubnets));
            return Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write static leases " + file, e);
        }
    }

    static String render(String network, int subnetLen, int backendPort, Map<String, String> subnets,
        Set<String> partialChecksumSubnets) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode config = root.putObject("config");
        config.put("Network", network);
        config.put("SubnetLen", subnetLen);
        ObjectNode backend = config.putObject("Backend");
        backend.put("Type", "udp");
        backend.put("Port", backendPort);
        ObjectNode leases = root.putObject("subnets");
        subnets.forEach((cidr, publicIp) -> {
            ObjectNode lease = leases.putObject(subnetKey(cidr));
            lease.put("PublicIP", publicIp);
            lease.putNull("PublicIPv6");
            if (partialChecksumSubnets.contains(cidr)) {
                lease.putObject("BackendData").put("WeftPartialChecksums", true);
            }
        });
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** flannel's etcd key for a subnet: {@code 10.244.1.0/24 -> 10.244.1.0-24}. */
    static String subnetKey(String cidr) {
        if (!cidr.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")) {
            throw new IllegalArgumentException("not an IPv4 CIDR: " + cidr);
        }
        return cidr.replace('/', '-');
    }
}
