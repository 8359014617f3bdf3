package io.weft.registry;

import io.weft.log.Log;
import io.weft.routing.Ipv4Addresses;
import io.weft.routing.Ipv4Prefix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * flannel's {@code subnet.env} ({@code --subnet-file}, /run/flannel/subnet.env), which the CNI plugin and scripts
 * read: FLANNEL_NETWORK, FLANNEL_SUBNET (the subnet's first host address with the subnet's length), FLANNEL_MTU and
 * FLANNEL_IPMASQ. Written atomically; read back at start so that a restarted node asks for the subnet it had.
 */
public final class SubnetEnvFile {
    private static final String SUBNET_VARIABLE = "FLANNEL_SUBNET=";
    private static final String NETWORK_VARIABLE = "FLANNEL_NETWORK=";

    private SubnetEnvFile() {
    }

    /** The file's content, byte for byte as flanneld writes it. */
    public static String render(
        final Ipv4Prefix network, final Ipv4Prefix subnet, final int mtu, final boolean ipMasq) {
        return NETWORK_VARIABLE + network + "\n" +
            SUBNET_VARIABLE + Ipv4Addresses.format(subnet.address() + 1) + "/" + subnet.length() + "\n" +
            "FLANNEL_MTU=" + mtu + "\n" +
            "FLANNEL_IPMASQ=" + ipMasq + "\n";
    }

    public static void write(final Path file, final Ipv4Prefix network, final Ipv4Prefix subnet, final int mtu,
        final boolean ipMasq) throws IOException {
        writeAtomically(file, render(network, subnet, mtu, ipMasq));
    }

    /**
     * The subnet of a previous run, from its FLANNEL_SUBNET (10.244.3.1/24 -> 10.244.3.0/24), or null when the file
     * is missing or unreadable or has no such line: the old subnet is a wish, never a reason to fail.
     */
    public static Ipv4Prefix readSubnet(final Path file) {
        return readPrefix(file, SUBNET_VARIABLE);
    }

    /** The Network of a previous run, from its FLANNEL_NETWORK, or null as {@link #readSubnet}. */
    public static Ipv4Prefix readNetwork(final Path file) {
        return readPrefix(file, NETWORK_VARIABLE);
    }

    private static Ipv4Prefix readPrefix(final Path file, final String variable) {
        final String content;
        try {
            content = Files.readString(file);
        } catch (final NoSuchFileException e) {
            return null;
        } catch (final IOException | RuntimeException e) {
            Log.warn("ignoring the previous subnet in " + file + ": " + e.getMessage());
            return null;
        }
        for (final String line : content.split("\n", -1)) {
            final String trimmed = line.strip();
            if (trimmed.startsWith(variable)) {
                return parseSubnet(trimmed.substring(variable.length()));
            }
        }
        return null;
    }

    private static Ipv4Prefix parseSubnet(final String gatewayCidr) {
        try {
            final int slash = gatewayCidr.indexOf('/');
            final int length = Integer.parseInt(gatewayCidr.substring(slash + 1));
            return new Ipv4Prefix(Ipv4Addresses.parse(gatewayCidr.substring(0, slash)) & Ipv4Addresses.mask(length),
                length);
        } catch (final RuntimeException e) {
            return null;
        }
    }

    /** Replaces {@code file} with {@code content} through a rename, so readers never see half a file. */
    public static void writeAtomically(final Path file, final String content) throws IOException {
        final Path directory = file.toAbsolutePath().getParent();
        Path temporary = null;
        try {
            Files.createDirectories(directory);
            temporary = Files.createTempFile(directory, "." + file.getFileName(), ".tmp");
            Files.writeString(temporary, content);
            // createTempFile makes it 0600; flannel's files are 0644, and scripts read them without root.
            if (Files.getFileStore(temporary).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (final IOException e) {
            if (temporary != null) {
                Files.deleteIfExists(temporary);
            }
            throw new IOException("cannot write " + file + ": " + e, e);
        }
    }
}
