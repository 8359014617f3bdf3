package io.weft.registry.etcd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client key of --etcd-keyfile, in PKCS#8 ("PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY", what kubeadm and
 * {@code openssl genrsa -traditional} write). Netty reads only PKCS#8 without Bouncy Castle, so a PKCS#1 key is
 * wrapped in PKCS#8's envelope here: the RSA key itself is the same bytes.
 */
final class PemKeys {
    private static final Pattern PEM = Pattern.compile(
        "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)-----END \\1-----");
    /** AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }, DER. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
        (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PemKeys() {
    }

    static PrivateKey read(final Path file) throws IOException {
        final String text = Files.readString(file, StandardCharsets.US_ASCII);
        final Matcher matcher = PEM.matcher(text);
        while (matcher.find()) {
            final String type = matcher.group(1);
            if (!type.endsWith("PRIVATE KEY")) {
                continue;
            }
            if (text.contains("Proc-Type: 4,ENCRYPTED") || type.startsWith("ENCRYPTED")) {
                throw new IOException(file + ": the key is encrypted; weftd needs it unencrypted, as flanneld");
            }
            final byte[] der = Base64.getMimeDecoder().decode(matcher.group(2));
            return switch (type) {
                case "PRIVATE KEY" -> pkcs8(file, der);
                case "RSA PRIVATE KEY" -> pkcs8(file, pkcs1ToPkcs8(der));
                default -> throw new IOException(file + ": " + type + " is not read; give the key as PKCS#8"
                    + " (openssl pkcs8 -topk8 -nocrypt) or as PKCS#1 RSA");
            };
        }
        throw new IOException(file + " holds no PEM private key");
    }

    /** PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING { the PKCS#1 RSAPrivateKey } }. */
    static byte[] pkcs1ToPkcs8(final byte[] pkcs1) {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.writeBytes(tagged(0x04, pkcs1));
        return tagged(0x30, body.toByteArray());
    }

    private static byte[] tagged(final int tag, final byte[] content) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        final int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            final int bytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : length < 0x1000000 ? 3 : 4;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static PrivateKey pkcs8(final Path file, final byte[] der) throws IOException {
        final PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (final String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (final GeneralSecurityException e) {
                // the next algorithm
            }
        }
        throw new IOException(file + ": not an RSA, EC or Ed25519 private key");
    }
}
