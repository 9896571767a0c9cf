package io.egoiverify.schemas.registry;

import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_LOCATION;
import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_PASSWORD;
import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_TYPE;
import static io.egoiverify.schemas.registry.RegistryTls.KEY_PASSWORD;
import static io.egoiverify.schemas.registry.RegistryTls.TRUSTSTORE_LOCATION;
import static io.egoiverify.schemas.registry.RegistryTls.TRUSTSTORE_PASSWORD;
import static io.egoiverify.schemas.registry.RegistryTls.TRUSTSTORE_TYPE;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads the trust and key stores of {@link RegistryTls} with the JDK alone (KeyStore, CertificateFactory) and builds
 * the SSLContext. Every failure is a {@link RegistryTlsException} that names the setting to fix and never a password.
 */
final class TlsStores {
    private static final Pattern PEM_BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----",
            Pattern.DOTALL);
    /** Protects a PEM key inside an in-memory KeyStore only: the KeyStore API wants some password. */
    private static final char[] IN_MEMORY = "in-memory".toCharArray();

    private TlsStores() {
    }

    static Optional<SSLContext> sslContext(RegistryTls tls) {
        if (tls.truststoreLocation() == null && tls.keystoreLocation() == null) {
            return Optional.empty();
        }
        TrustManager[] trust = tls.truststoreLocation() == null ? null : trustManagers(tls);
        KeyManager[] keys = tls.keystoreLocation() == null ? null : keyManagers(tls);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null); // null trust: the JVM's default CAs, as without these settings
            return Optional.of(context);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot create a TLS context", e);
        }
    }

    static TrustManager[] trustManagers(RegistryTls tls) {
        String location = tls.truststoreLocation();
        byte[] bytes = read(TRUSTSTORE_LOCATION, location);
        String type = tls.truststoreType() != null ? tls.truststoreType() : inferType(bytes);
        KeyStore store;
        if (RegistryTls.PEM.equals(type)) {
            if (tls.truststorePassword() != null) {
                throw new RegistryTlsException(TRUSTSTORE_PASSWORD, "is not used with a PEM trust store: remove it");
            }
            List<X509Certificate> certificates = certificates(text(bytes), TRUSTSTORE_LOCATION, location);
            if (certificates.isEmpty()) {
                throw new RegistryTlsException(TRUSTSTORE_LOCATION, location + " holds no PEM certificate");
            }
            store = emptyStore();
            try {
                for (int i = 0; i < certificates.size(); i++) {
                    store.setCertificateEntry("ca-" + i, certificates.get(i));
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JVM cannot hold a certificate in a PKCS12 key store", e);
            }
        } else {
            store = load(bytes, type, tls.truststorePassword(), location, TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD,
                    TRUSTSTORE_TYPE);
            if (size(store) == 0 && tls.truststorePassword() == null) {
                // keytool and cert-manager encrypt a PKCS12 store's certificates: without the password none is seen
                throw new RegistryTlsException(TRUSTSTORE_PASSWORD, "is required to read the certificates of "
                        + location);
            }
            if (size(store) == 0) {
                throw new RegistryTlsException(TRUSTSTORE_LOCATION, location + " holds no certificate to trust");
            }
        }
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new RegistryTlsException(TRUSTSTORE_LOCATION, location + " cannot be used as a trust store ("
                    + e.getMessage() + ")", e);
        }
    }

    static KeyManager[] keyManagers(RegistryTls tls) {
        String location = tls.keystoreLocation();
        byte[] bytes = read(KEYSTORE_LOCATION, location);
        String type = tls.keystoreType() != null ? tls.keystoreType() : inferType(bytes);
        KeyStore store;
        char[] keyPassword;
        String keyPasswordSetting;
        if (RegistryTls.PEM.equals(type)) {
            if (tls.keystorePassword() != null) {
                throw new RegistryTlsException(KEYSTORE_PASSWORD, "is not used with a PEM key store (an encrypted "
                        + "key's password goes in " + KEY_PASSWORD + "): remove it");
            }
            store = pemKeyStore(text(bytes), location, tls.keyPassword());
            keyPassword = IN_MEMORY;
            keyPasswordSetting = KEY_PASSWORD;
        } else {
            if (tls.keystorePassword() == null) {
                throw new RegistryTlsException(KEYSTORE_PASSWORD, "is required with a " + type + " key store ("
                        + location + ")");
            }
            store = load(bytes, type, tls.keystorePassword(), location, KEYSTORE_LOCATION, KEYSTORE_PASSWORD,
                    KEYSTORE_TYPE);
            if (!hasKey(store)) {
                throw new RegistryTlsException(KEYSTORE_LOCATION, location + " holds no private key");
            }
            keyPassword = (tls.keyPassword() != null ? tls.keyPassword() : tls.keystorePassword()).toCharArray();
            keyPasswordSetting = tls.keyPassword() != null ? KEY_PASSWORD : KEYSTORE_PASSWORD;
        }
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, keyPassword);
            return factory.getKeyManagers();
        } catch (UnrecoverableKeyException e) {
            throw new RegistryTlsException(keyPasswordSetting, "does not unlock the private key in " + location, e);
        } catch (GeneralSecurityException e) {
            throw new RegistryTlsException(KEYSTORE_LOCATION, location + " cannot be used as a key store ("
                    + e.getMessage() + ")", e);
        }
    }

    /** A JKS or PKCS12 file. A wrong password shows as an IOException caused by UnrecoverableKeyException. */
    private static KeyStore load(byte[] bytes, String type, String password, String location, String locationKey,
                                 String passwordKey, String typeKey) {
        try {
            KeyStore store = KeyStore.getInstance(type);
            store.load(new ByteArrayInputStream(bytes), password == null ? null : password.toCharArray());
            return store;
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                String problem = password == null ? "is required to read " : "is wrong for ";
                throw new RegistryTlsException(passwordKey, problem + location, e);
            }
            throw unreadable(location, type, locationKey, typeKey, e);
        } catch (GeneralSecurityException e) {
            throw unreadable(location, type, locationKey, typeKey, e);
        }
    }

    private static RegistryTlsException unreadable(String location, String type, String locationKey, String typeKey,
                                                   Exception e) {
        return new RegistryTlsException(locationKey, location + " cannot be read as a " + type + " store ("
                + e.getMessage() + "); its type is set with " + typeKey + ": JKS, PKCS12 or PEM", e);
    }

    /** Kafka's PEM key store: one PKCS#8 private key and its certificate chain in one file. */
    private static KeyStore pemKeyStore(String text, String location, String keyPassword) {
        List<X509Certificate> chain = certificates(text, KEYSTORE_LOCATION, location);
        List<PemBlock> keys = blocks(text).stream().filter(b -> b.label.endsWith("PRIVATE KEY")).toList();
        if (keys.size() != 1) {
            throw new RegistryTlsException(KEYSTORE_LOCATION, location + " must hold one PEM private key, found "
                    + keys.size());
        }
        if (chain.isEmpty()) {
            throw new RegistryTlsException(KEYSTORE_LOCATION, location + " holds no certificate for its private key");
        }
        PemBlock key = keys.get(0);
        byte[] pkcs8 = switch (key.label) {
            case "PRIVATE KEY" -> decode(key, KEYSTORE_LOCATION, location);
            case "ENCRYPTED PRIVATE KEY" -> {
                if (keyPassword == null) {
                    throw new RegistryTlsException(KEY_PASSWORD, "is required: the private key in " + location
                            + " is encrypted");
                }
                yield decrypt(decode(key, KEYSTORE_LOCATION, location), keyPassword, location);
            }
            default -> throw new RegistryTlsException(KEYSTORE_LOCATION, location + " holds a " + key.label
                    + "; only PKCS#8 keys are read (openssl pkcs8 -topk8 converts it)");
        };
        try {
            PrivateKey privateKey = KeyFactory.getInstance(chain.get(0).getPublicKey().getAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            KeyStore store = emptyStore();
            store.setKeyEntry("client", privateKey, IN_MEMORY, chain.toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException e) {
            throw new RegistryTlsException(KEYSTORE_LOCATION, location + " holds a private key that cannot be read "
                    + "or does not match its first certificate (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] decrypt(byte[] der, String password, String location) {
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
            throw new RegistryTlsException(KEYSTORE_LOCATION, location + " holds a key encrypted with " + algorithm
                    + ", which this JVM cannot decrypt", e);
        } catch (IOException | GeneralSecurityException e) {
            throw new RegistryTlsException(KEY_PASSWORD, "does not decrypt the private key in " + location, e);
        }
    }

    private static List<X509Certificate> certificates(String text, String locationKey, String location) {
        List<X509Certificate> out = new ArrayList<>();
        for (PemBlock block : blocks(text)) {
            if (!block.label.equals("CERTIFICATE")) {
                continue;
            }
            try {
                out.add((X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(decode(block, locationKey, location))));
            } catch (CertificateException e) {
                throw new RegistryTlsException(locationKey, location + " holds a certificate that cannot be read ("
                        + e.getMessage() + ")", e);
            }
        }
        return out;
    }

    private static List<PemBlock> blocks(String text) {
        List<PemBlock> blocks = new ArrayList<>();
        Matcher m = PEM_BLOCK.matcher(text);
        while (m.find()) {
            blocks.add(new PemBlock(m.group(1), m.group(2)));
        }
        return blocks;
    }

    private static byte[] decode(PemBlock block, String locationKey, String location) {
        try {
            return Base64.getMimeDecoder().decode(block.body.trim());
        } catch (IllegalArgumentException e) {
            throw new RegistryTlsException(locationKey, location + " holds a " + block.label
                    + " block that is not Base64 (an encrypted legacy OpenSSL key?)", e);
        }
    }

    /** PEM is text ("-----BEGIN ..."): no JKS or PKCS12 file holds that line. Otherwise Kafka's default, JKS. */
    private static String inferType(byte[] bytes) {
        return text(bytes).contains("-----BEGIN ") ? RegistryTls.PEM : RegistryTls.JKS;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static byte[] read(String locationKey, String location) {
        try {
            return Files.readAllBytes(Path.of(location));
        } catch (IOException | InvalidPathException | SecurityException e) {
            throw new RegistryTlsException(locationKey, "cannot be read: " + location + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static KeyStore emptyStore() {
        try {
            KeyStore store = KeyStore.getInstance(RegistryTls.PKCS12);
            store.load(null, null);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot create a PKCS12 key store", e);
        }
    }

    private static int size(KeyStore store) {
        try {
            return store.size();
        } catch (GeneralSecurityException e) {
            return 0;
        }
    }

    private static boolean hasKey(KeyStore store) {
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    return true;
                }
            }
            return false;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private record PemBlock(String label, String body) {
    }
}
