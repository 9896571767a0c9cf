package io.egoiverify.schemas.registry;

import static io.egoiverify.schemas.registry.RegistryTls.KEY_PASSWORD;

import io.egoiverify.schemas.registry.TlsStores.Pem;
import io.egoiverify.schemas.registry.TlsStores.PemBlock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Reads the private key of a PEM key store with the JDK alone, and checks that it belongs to the chain's first
 * certificate, so that a key and a chain from two different certificates stop the process at start-up rather than
 * fail every handshake.
 *
 * <p>Read: PKCS#8 ({@code PRIVATE KEY}, or {@code ENCRYPTED PRIVATE KEY} with {@code key.password}) as in Kafka, and
 * also the two forms cert-manager writes by default ({@code privateKey.encoding: PKCS1}): an RSA key in PKCS#1
 * ({@code RSA PRIVATE KEY}, RFC 8017) and an EC key in SEC1 ({@code EC PRIVATE KEY}, RFC 5915). The JDK's KeyFactory
 * reads PKCS#8 only, so these are wrapped in a PKCS#8 envelope first (RFC 5208): version 0, the algorithm, the key as
 * an octet string. For EC the curve is the certificate's, which the match check confirms. A legacy OpenSSL encrypted
 * key ({@code Proc-Type: 4,ENCRYPTED}) is refused: it is converted with {@code openssl pkcs8 -topk8}.
 */
final class PemKeys {
    /** AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
        (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** The OID id-ecPublicKey (1.2.840.10045.2.1), encoded. */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};
    private static final List<String> OTHER_TYPES = List.of("RSA", "EC", "DSA", "EdDSA");
    private static final int SEQUENCE = 0x30;
    private static final int OCTET_STRING = 0x04;
    private static final byte[] PROBE = "egoi-verify: does this private key belong to this certificate?"
            .getBytes(StandardCharsets.US_ASCII);

    private PemKeys() {
    }

    /**
     * The private key of {@code block}, checked against {@code first}.
     *
     * @param source    where the key comes from, for messages (never its text)
     * @param firstName how a message names {@code first}, e.g. "its first certificate"
     * @throws RegistryTlsException naming the setting to fix, never the key or a password
     */
    static PrivateKey read(PemBlock block, Pem source, String keyPassword, X509Certificate first, String firstName) {
        PublicKey publicKey = first.getPublicKey();
        if (block.body().contains("Proc-Type:")) {
            throw new RegistryTlsException(source.setting(), source.where() + "holds a key (BEGIN " + block.label()
                    + ") encrypted the legacy OpenSSL way, which is not read: convert it to PKCS#8 (openssl pkcs8 "
                    + "-topk8) and give its password in " + KEY_PASSWORD);
        }
        byte[] der = TlsStores.decode(block, source);
        String algorithm;
        byte[] pkcs8;
        switch (block.label()) {
            case "PRIVATE KEY" -> {
                algorithm = publicKey.getAlgorithm();
                pkcs8 = der;
            }
            case "ENCRYPTED PRIVATE KEY" -> {
                if (keyPassword == null) {
                    throw new RegistryTlsException(KEY_PASSWORD, "is required: the private key in " + source.name()
                            + " is encrypted");
                }
                algorithm = publicKey.getAlgorithm();
                pkcs8 = decrypt(der, keyPassword, source);
            }
            case "RSA PRIVATE KEY" -> {
                algorithm = "RSA";
                pkcs8 = pkcs8(RSA_ALGORITHM, der);
            }
            case "EC PRIVATE KEY" -> {
                if (!(publicKey instanceof ECPublicKey ec)) {
                    throw mismatch(source, firstName, "EC", publicKey);
                }
                algorithm = "EC";
                pkcs8 = pkcs8(tlv(SEQUENCE, EC_PUBLIC_KEY, curve(ec, source)), der);
            }
            default -> throw new RegistryTlsException(source.setting(), source.where() + "holds a key (BEGIN "
                    + block.label() + ") which is not read: give a PKCS#8 key (BEGIN PRIVATE KEY or BEGIN ENCRYPTED "
                    + "PRIVATE KEY; openssl pkcs8 -topk8 converts it), an RSA PKCS#1 key or an EC key");
        }
        PrivateKey key;
        try {
            key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            String otherType = otherType(pkcs8, algorithm);
            if (otherType != null) {
                throw mismatch(source, firstName, otherType, publicKey);
            }
            String ofCertificate = algorithm.equals(publicKey.getAlgorithm()) ? ", the type of " + firstName : "";
            throw new RegistryTlsException(source.setting(), source.where() + "holds a key (BEGIN " + block.label()
                    + ") that cannot be read as a key of type " + algorithm + ofCertificate + " (" + e.getMessage()
                    + ")", e);
        }
        if (!belongsTo(key, publicKey)) {
            throw mismatch(source, firstName, key.getAlgorithm(), publicKey);
        }
        return key;
    }

    /** The type of a PKCS#8 key that is not of {@code notThis} type (as Kafka, tries the usual ones), or null. */
    private static String otherType(byte[] pkcs8, String notThis) {
        for (String type : OTHER_TYPES) {
            if (type.equals(notThis)) {
                continue;
            }
            try {
                return KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(pkcs8)).getAlgorithm();
            } catch (GeneralSecurityException e) {
                // not of this type either
            }
        }
        return null;
    }

    private static RegistryTlsException mismatch(Pem source, String firstName, String keyType, PublicKey publicKey) {
        String types = keyType.equals(publicKey.getAlgorithm()) ? ""
                : " (the key is of type " + keyType + ", the certificate's of type " + publicKey.getAlgorithm() + ")";
        return new RegistryTlsException(source.setting(), source.where() + "holds a private key that does not match "
                + firstName + types + ": the chain must start with the certificate issued for this key");
    }

    /**
     * Signs a probe with the key and verifies it with the certificate's public key. Key types without a signature
     * here are not checked (the handshake then is the check).
     */
    static boolean belongsTo(PrivateKey key, PublicKey publicKey) {
        String signature = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> null;
        };
        if (signature == null) {
            return true;
        }
        try {
            Signature signer = Signature.getInstance(signature);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signed = signer.sign();
            Signature verifier = Signature.getInstance(signature);
            verifier.initVerify(publicKey);
            verifier.update(PROBE);
            return verifier.verify(signed);
        } catch (InvalidKeyException | SignatureException e) {
            return false; // e.g. an RSA key against an EC certificate
        } catch (NoSuchAlgorithmException e) {
            return true;
        }
    }

    /** The named curve of the certificate's key, encoded as the OID the PKCS#8 algorithm's parameters hold. */
    private static byte[] curve(ECPublicKey publicKey, Pem source) {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(publicKey.getParams());
            return parameters.getEncoded();
        } catch (GeneralSecurityException | IOException e) {
            throw new RegistryTlsException(source.setting(), source.where() + "holds an EC key on a curve this JVM "
                    + "does not name (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] decrypt(byte[] der, String password, Pem source) {
        String algorithm = "?";
        try {
            EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
            algorithm = info.getAlgName();
            if (algorithm.equals("PBES2")) {
                // What openssl writes. The JDK 17 cipher is named by the parameters, e.g. PBEWithHmacSHA256AndAES_256.
                algorithm = info.getAlgParameters().toString();
            }
            Cipher cipher = Cipher.getInstance(algorithm);
            cipher.init(Cipher.DECRYPT_MODE, SecretKeyFactory.getInstance(algorithm)
                    .generateSecret(new PBEKeySpec(password.toCharArray())), info.getAlgParameters());
            return info.getKeySpec(cipher).getEncoded();
        } catch (NoSuchAlgorithmException e) {
            throw new RegistryTlsException(source.setting(), source.where() + "holds a key encrypted with "
                    + algorithm + ", which this JVM cannot decrypt", e);
        } catch (IOException | GeneralSecurityException e) {
            throw new RegistryTlsException(KEY_PASSWORD, "does not decrypt the private key in " + source.name(), e);
        }
    }

    /** PrivateKeyInfo (RFC 5208): SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING { the key } }. */
    private static byte[] pkcs8(byte[] algorithmIdentifier, byte[] key) {
        return tlv(SEQUENCE, VERSION_0, algorithmIdentifier, tlv(OCTET_STRING, key));
    }

    /** One DER element: its tag, its length (short or long form) and its contents. */
    static byte[] tlv(int tag, byte[]... contents) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] part : contents) {
            body.writeBytes(part);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = body.size();
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }
}
