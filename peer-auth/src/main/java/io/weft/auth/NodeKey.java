package io.weft.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.XECPrivateKeySpec;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * A node's X25519 key pair: its public key goes into the node's lease, and {@link #sharedSecret} with a peer's
 * public key is the input of {@link TrafficKey#derive}.
 *
 * <p>The key file holds one line: the base64 (RFC 4648, no line breaks) of the private key's PKCS#8 DER encoding, as
 * {@code openssl pkey -outform DER | base64 -w0} prints it. Only its owner may read or write it (mode 0600 or
 * 0400); a file open to group or others is refused, as ssh refuses such keys.
 */
public final class NodeKey {
    private static final Set<PosixFilePermission> OWNER_READ_WRITE =
        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final PrivateKey privateKey;
    private final byte[] publicKey;
    /** Made once: every lease set compares each lease's key with ours. */
    private final String publicKeyBase64;

    private NodeKey(final PrivateKey privateKey) {
        this.privateKey = privateKey;
        this.publicKey = X25519.publicKeyOf(privateKey);
        this.publicKeyBase64 = Base64.getEncoder().encodeToString(publicKey);
    }

    /** A new random key pair, kept in memory only. */
    public static NodeKey generate() {
        try {
            return new NodeKey(KeyPairGenerator.getInstance(X25519.ALGORITHM).generateKeyPair().getPrivate());
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make X25519 keys", e);
        }
    }

    /**
     * A new random key pair whose {@link #id} differs from {@code current}'s, so that datagrams name which of the two
     * they were sealed under while both are advertised (a rotation).
     */
    public static NodeKey generateNext(final NodeKey current) {
        NodeKey next = generate();
        while (next.id() == current.id()) {
            next = generate();
        }
        return next;
    }

    /** The key pair of a raw 32-byte private scalar (RFC 7748's test vectors are written so). */
    static NodeKey fromPrivateScalar(final byte[] scalar) {
        try {
            return new NodeKey(KeyFactory.getInstance(X25519.ALGORITHM)
                .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, X25519.copy(scalar))));
        } catch (final GeneralSecurityException e) {
            throw new IllegalArgumentException("not an X25519 private key: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the key in {@code file}, or makes a new one there if there is no file: the parent directories are
     * created, the file appears whole (written under a temporary name created with mode 0600, then linked), and if
     * another process made it first, its key is read.
     *
     * @throws IOException naming the file if it cannot be read or written, is open to group or others, or does not
     *     hold an X25519 private key
     */
    public static NodeKey loadOrCreate(final Path file) throws IOException {
        if (Files.exists(file)) {
            return load(file);
        }
        final Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        final NodeKey key = generate();
        final Path temporary = key.writeTemporary(parent, file);
        try {
            try {
                // link(2) fails if the name exists, where rename(2) would replace a key another process just made.
                Files.createLink(file, temporary);
            } catch (final FileAlreadyExistsException e) {
                return load(file);
            }
            try (FileChannel directory = FileChannel.open(parent, StandardOpenOption.READ)) {
                directory.force(true);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
        return key;
    }

    /**
     * Writes this key to {@code file}, replacing what it held: written under a temporary name created with mode 0600,
     * synced, then renamed over it, so the file holds the old key or the new one whole, never a part.
     */
    public void store(final Path file) throws IOException {
        final Path parent = file.toAbsolutePath().getParent();
        final Path temporary = writeTemporary(parent, file);
        try {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel directory = FileChannel.open(parent, StandardOpenOption.READ)) {
                directory.force(true);
            } catch (final IOException e) {
                // The file holds the new key already: failing now would leave the caller on the old one, which a
                // restart would not find. Only a crash before the directory reaches the disk could bring it back.
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** This key in a new file beside {@code file}, created with mode 0600 and synced: the caller links or moves it. */
    private Path writeTemporary(final Path parent, final Path file) throws IOException {
        final Path temporary = Files.createTempFile(parent, "." + file.getFileName() + ".", ".new",
            PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE));
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(encodedPrivateKey()));
            channel.force(true);
        } catch (final IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        return temporary;
    }

    private static NodeKey load(final Path file) throws IOException {
        final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (!OWNER_READ_WRITE.containsAll(permissions)) {
            throw new IOException("node key file " + file + " has mode " + PosixFilePermissions.toString(permissions)
                + ": only its owner may read or write it (chmod 600 " + file + ")");
        }
        final String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        try {
            final byte[] der = Base64.getDecoder().decode(text);
            return new NodeKey(KeyFactory.getInstance(X25519.ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der)));
        } catch (final IllegalArgumentException | GeneralSecurityException e) {
            throw new IOException("node key file " + file
                + " does not hold an X25519 private key (one line: base64 of its PKCS#8 DER encoding): " + e, e);
        }
    }

    private byte[] encodedPrivateKey() {
        return (Base64.getEncoder().encodeToString(privateKey.getEncoded()) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The raw public key: RFC 7748's u-coordinate, 32 bytes little-endian (a copy). */
    public byte[] publicKey() {
        return X25519.copy(publicKey);
    }

    /**
     * The key's id in datagram headers: 1 to 255, taken from the public key, so that it needs no storing and every
     * node computes the same; 0 is left for "the current key" (weft before ids). Two keys of one node advertised
     * together never share one ({@link #generateNext}).
     */
    public int id() {
        return idOf(publicKey);
    }

    /** {@link #id()} of a raw 32-byte public key. */
    public static int idOf(final byte[] publicKey) {
        return 1 + (publicKey[0] & 0xFF) % AuthHeader.MAX_KEY_ID;
    }

    /** {@link #publicKey()} in base64 (RFC 4648), as a lease carries it. */
    public String publicKeyBase64() {
        return publicKeyBase64;
    }

    /**
     * X25519 of this node's private key and a peer's raw public key: 32 bytes, the same on both nodes.
     *
     * @throws IllegalArgumentException if the peer key is not 32 bytes or is a low-order point (zero result)
     */
    public byte[] sharedSecret(final byte[] peerPublicKey) {
        return X25519.agree(privateKey, peerPublicKey);
    }

    /**
     * {@link #sharedSecret}, for one of many peers agreed with at once (a start among thousands of nodes): in
     * libcrypto where it loads, which the first such call loads; {@link #sharedSecret} runs there too from then on.
     */
    public byte[] sharedSecretInBulk(final byte[] peerPublicKey) {
        return X25519.agreeInBulk(privateKey, peerPublicKey);
    }

    /** Where agreements run now: the JDK's X25519 until one in bulk loaded libcrypto's. */
    public static String agreementEngine() {
        return X25519.engine();
    }

    /** Where agreements in bulk run, libcrypto's X25519 or the JDK's and why: loads libcrypto. */
    public static String bulkAgreementEngine() {
        final String cause = OpenSslX25519.unavailabilityCause();
        return cause == null ? "X25519 in " + OpenSslX25519.LIBRARY : "X25519 in the JDK (" + cause + ")";
    }

    /** The public key only: the private key never goes to a log. */
    @Override
    public String toString() {
        return "NodeKey[" + publicKeyBase64() + "]";
    }
}
