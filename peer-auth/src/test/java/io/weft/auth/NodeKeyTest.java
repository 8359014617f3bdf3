package io.weft.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeKeyTest {
    // RFC 7748 section 6.1.
    private static final byte[] ALICE_PRIVATE =
        Hex.bytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final byte[] ALICE_PUBLIC =
        Hex.bytes("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    private static final byte[] BOB_PRIVATE =
        Hex.bytes("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    private static final byte[] BOB_PUBLIC =
        Hex.bytes("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    private static final byte[] SHARED = Hex.bytes("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    @TempDir
    Path directory;

    @Test
    void shouldMatchRfc7748Section61() {
        final NodeKey alice = NodeKey.fromPrivateScalar(ALICE_PRIVATE);
        final NodeKey bob = NodeKey.fromPrivateScalar(BOB_PRIVATE);
        assertThat(alice.publicKey()).isEqualTo(ALICE_PUBLIC);
        assertThat(bob.publicKey()).isEqualTo(BOB_PUBLIC);
        assertThat(alice.sharedSecret(BOB_PUBLIC)).isEqualTo(SHARED);
        assertThat(bob.sharedSecret(ALICE_PUBLIC)).isEqualTo(SHARED);
        assertThat(alice.sharedSecretInBulk(BOB_PUBLIC)).as("in bulk").isEqualTo(SHARED);
    }

    /** libcrypto's X25519 (faster, so a start among thousands of weft nodes is short) gives the JDK's bytes. */
    @Test
    void shouldAgreeAsTheJdkDoesThroughLibcrypto() throws Exception {
        assumeTrue(OpenSslX25519.isAvailable(), NodeKey.bulkAgreementEngine());
        assertThat(NodeKey.bulkAgreementEngine()).isEqualTo("X25519 in libcrypto.so.3");
        for (int i = 0; i < 20; i++) {
            final KeyPair pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            final byte[] peer = NodeKey.generate().publicKey();
            final byte[] scalar = ((XECPrivateKey) pair.getPrivate()).getScalar().orElseThrow();
            assertThat(OpenSslX25519.agree(pair.getPrivate(), scalar, peer))
                .isEqualTo(X25519.jdkAgree(pair.getPrivate(), peer));
        }
        final NodeKey alice = NodeKey.fromPrivateScalar(ALICE_PRIVATE);
        assertThatThrownBy(() -> alice.sharedSecretInBulk(new byte[32])).as("u = 0, a low-order point")
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldAgreeOnSecretWhenTwoKeysExchangePublicKeys() {
        final NodeKey a = NodeKey.generate();
        final NodeKey b = NodeKey.generate();
        assertThat(a.sharedSecret(b.publicKey())).hasSize(32).isEqualTo(b.sharedSecret(a.publicKey()));
        assertThat(a.publicKey()).isNotEqualTo(b.publicKey());
    }

    @Test
    void shouldGiveTheJdksPublicKeyInRfc7748Bytes() throws Exception {
        final KeyPair pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
        final byte[] raw = X25519.raw((XECPublicKey)pair.getPublic());
        assertThat(X25519.publicKeyOf(pair.getPrivate())).isEqualTo(raw);
        assertThat(((XECPublicKey)X25519.publicKey(raw)).getU()).isEqualTo(((XECPublicKey)pair.getPublic()).getU());
    }

    @Test
    void shouldIgnoreTopBitOfPeerKeyAsRfc7748Masks() {
        final byte[] withTopBit = BOB_PUBLIC.clone();
        withTopBit[31] |= (byte)0x80;
        assertThat(NodeKey.fromPrivateScalar(ALICE_PRIVATE).sharedSecret(withTopBit)).isEqualTo(SHARED);
        assertThat(NodeKey.fromPrivateScalar(ALICE_PRIVATE).sharedSecretInBulk(withTopBit)).as("in bulk")
            .isEqualTo(SHARED);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    })
    void shouldRefuseLowOrderPeerKey(final String lowOrderPoint) {
        final NodeKey key = NodeKey.generate();
        assertThatThrownBy(() -> key.sharedSecret(Hex.bytes(lowOrderPoint)))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> key.sharedSecretInBulk(Hex.bytes(lowOrderPoint))).as("in bulk")
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefusePeerKeyWhenNot32Bytes() {
        final NodeKey key = NodeKey.generate();
        assertThatThrownBy(() -> key.sharedSecret(new byte[31])).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> key.sharedSecretInBulk(new byte[31])).as("in bulk")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    }

    @Test
    void shouldHandOutCopiesAndBase64OfPublicKey() {
        final NodeKey key = NodeKey.generate();
        final byte[] copy = key.publicKey();
        copy[0] ^= 1;
        assertThat(key.publicKey()).isNotEqualTo(copy);
        assertThat(Base64.getDecoder().decode(key.publicKeyBase64())).isEqualTo(key.publicKey());
        assertThat(key.toString()).contains(key.publicKeyBase64());
    }

    @Test
    void shouldGiveEachKeyAnIdFrom1To255AndANextKeyAnotherId() {
        for (int i = 0; i < 300; i++) {
            final NodeKey key = NodeKey.generate();
            assertThat(key.id()).isBetween(1, 255).isEqualTo(NodeKey.idOf(key.publicKey()));
            assertThat(NodeKey.generateNext(key).id()).isNotEqualTo(key.id());
        }
    }

    @Test
    void shouldReplaceTheKeyInItsFileWholeAndOwnerOnly() throws IOException {
        final Path file = directory.resolve("node.key");
        final NodeKey first = NodeKey.loadOrCreate(file);
        final NodeKey next = NodeKey.generateNext(first);

        next.store(file);

        assertThat(NodeKey.loadOrCreate(file).publicKey()).isEqualTo(next.publicKey());
        assertThat(Files.getPosixFilePermissions(file))
            .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        try (var leftovers = Files.list(directory)) {
            assertThat(leftovers).containsExactly(file);
        }
    }

    @Test
    void shouldCreateOwnerOnlyFileAndParentsWhenMissing() throws IOException {
        final Path file = directory.resolve("etc/weft/node.key");
        final NodeKey created = NodeKey.loadOrCreate(file);
        assertThat(Files.getPosixFilePermissions(file))
            .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readString(file, StandardCharsets.US_ASCII)).matches("[A-Za-z0-9+/=]+\n");
        try (var leftovers = Files.list(file.getParent())) {
            assertThat(leftovers).containsExactly(file);
        }
        assertThat(NodeKey.loadOrCreate(file).publicKey()).isEqualTo(created.publicKey());
    }

    @Test
    void shouldReadKeyWrittenByOpenssl() throws IOException {
        // What `openssl genpkey -algorithm X25519 -outform DER | base64 -w0` prints for RFC 7748's Alice.
        final Path file = ownerOnlyFile("alice.key", Base64.getEncoder().encodeToString(alicePkcs8("2b656e")) + "\n");
        assertThat(NodeKey.loadOrCreate(file).publicKey()).isEqualTo(ALICE_PUBLIC);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-r-----", "rw----r--", "rw--w----", "rwx------", "rw-rw-rw-"})
    void shouldRefuseFileWhenModeAllowsMoreThanOwnerReadWrite(final String mode) throws IOException {
        final Path file = directory.resolve("node.key");
        NodeKey.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        assertThatThrownBy(() -> NodeKey.loadOrCreate(file)).isInstanceOf(IOException.class)
            .hasMessageContaining(file.toString()).hasMessageContaining(mode);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not base64 at all!", "AAAA", ""})
    void shouldRefuseFileWhenItHoldsNoX25519PrivateKey(final String content) throws IOException {
        final Path file = ownerOnlyFile("bad.key", content);
        assertThatThrownBy(() -> NodeKey.loadOrCreate(file)).isInstanceOf(IOException.class)
            .hasMessageContaining(file.toString()).hasMessageContaining("X25519");
    }

    @Test
    void shouldRefuseFileWhenItHoldsAnotherCurvesKey() throws IOException {
        // RFC 7748's Alice scalar under Ed25519's OID (1.3.101.112) instead of X25519's (1.3.101.110).
        final Path file = ownerOnlyFile("ed25519.key", Base64.getEncoder().encodeToString(alicePkcs8("2b6570")));
        assertThatThrownBy(() -> NodeKey.loadOrCreate(file)).isInstanceOf(IOException.class)
            .hasMessageContaining(file.toString());
    }

    private static byte[] alicePkcs8(final String oid) {
        final byte[] der = new byte[48];
        System.arraycopy(Hex.bytes("302e02010030050603" + oid + "04220420"), 0, der, 0, 16);
        System.arraycopy(ALICE_PRIVATE, 0, der, 16, 32);
        return der;
    }

    private Path ownerOnlyFile(final String name, final String content) throws IOException {
        final Path file = Files.createFile(directory.resolve(name),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.US_ASCII);
        return file;
    }
}
