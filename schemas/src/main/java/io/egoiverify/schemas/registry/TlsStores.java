package io.egoiverify.schemas.registry;

import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_CERTIFICATE_CHAIN;
import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_KEY;
import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_LOCATION;
import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_PASSWORD;
import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_TYPE;
import static io.egoiverify.schemas.registry.RegistryTls.KEY_PASSWORD;
import static io.egoiverify.schemas.registry.RegistryTls.TRUSTSTORE_CERTIFICATES;
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
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        if (!tls.hasTrustStore() && !tls.hasKeyStore()) {
            return Optional.empty();
        }
        TrustManager[] trust = tls.hasTrustStore() ? trustManagers(tls) : null;
        KeyManager[] keys = tls.hasKeyStore() ? keyManagers(tls) : null;
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null); // null trust: the JVM's default CAs, as without these settings
            return Optional.of(context);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot create a TLS context", e);
        }
    }

    static TrustManager[] trustManagers(RegistryTls tls) {
        if (tls.truststoreCertificates() != null) {
            // RegistryTls allows no location, password or other type with them
            Pem certificates = new Pem(TRUSTSTORE_CERTIFICATES, null, tls.truststoreCertificates());
            return trustManagers(pemTrustStore(certificates), certificates);
        }
        String location = tls.truststoreLocation();
        byte[] bytes = read(TRUSTSTORE_LOCATION, location);
        String type = tls.truststoreType() != null ? tls.truststoreType() : inferType(bytes);
        KeyStore store;
        if (RegistryTls.PEM.equals(type)) {
            if (tls.truststorePassword() != null) {
                throw new RegistryTlsException(TRUSTSTORE_PASSWORD, "is not used with a PEM trust store: remove it");
            }
            store = pemTrustStore(new Pem(TRUSTSTORE_LOCATION, location, text(bytes)));
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
        return trustManagers(store, new Pem(TRUSTSTORE_LOCATION, location, null));
    }

    private static TrustManager[] trustManagers(KeyStore store, Pem source) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new RegistryTlsException(source.setting(), source.where() + "cannot be used as a trust store ("
                    + e.getMessage() + ")", e);
        }
    }

    /** One or more X.509 certificates, each trusted; other blocks (comments, keys) are passed over. */
    private static KeyStore pemTrustStore(Pem source) {
        List<X509Certificate> certificates = certificates(source);
        if (certificates.isEmpty()) {
            throw new RegistryTlsException(source.setting(), source.where() + "holds no PEM certificate"
                    + source.pathHint());
        }
        KeyStore store = emptyStore();
        try {
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("ca-" + i, certificates.get(i));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot hold a certificate in a PKCS12 key store", e);
        }
        return store;
    }

    static KeyManager[] keyManagers(RegistryTls tls) {
        if (tls.keystoreKey() != null) {
            // RegistryTls allows no location, store password or other type with them, and requires the chain
            KeyStore store = pemKeyStore(new Pem(KEYSTORE_KEY, null, tls.keystoreKey()),
                    new Pem(KEYSTORE_CERTIFICATE_CHAIN, null, tls.keystoreCertificateChain()), tls.keyPassword());
            return keyManagers(store, IN_MEMORY, KEY_PASSWORD, new Pem(KEYSTORE_KEY, null, null));
        }
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
            Pem file = new Pem(KEYSTORE_LOCATION, location, text(bytes));
            store = pemKeyStore(file, file, tls.keyPassword());
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
        return keyManagers(store, keyPassword, keyPasswordSetting, new Pem(KEYSTORE_LOCATION, location, null));
    }

    private static KeyManager[] keyManagers(KeyStore store, char[] keyPassword, String keyPasswordSetting,
                                            Pem source) {
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, keyPassword);
            return factory.getKeyManagers();
        } catch (UnrecoverableKeyException e) {
            throw new RegistryTlsException(keyPasswordSetting, "does not unlock the private key in " + source.name(),
                    e);
        } catch (GeneralSecurityException e) {
            throw new RegistryTlsException(source.setting(), source.where() + "cannot be used as a key store ("
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

    /**
     * Kafka's PEM key store: one private key and its certificate chain, the key's own certificate first. From one file
     * ({@code key} and {@code chain} the same) or from two values.
     */
    private static KeyStore pemKeyStore(Pem key, Pem chain, String keyPassword) {
        boolean oneFile = key.equals(chain);
        List<X509Certificate> certificates = certificates(chain);
        List<PemBlock> keys = blocks(key.text()).stream().filter(b -> b.label().endsWith("PRIVATE KEY")).toList();
        if (keys.size() != 1) {
            throw new RegistryTlsException(key.setting(), key.where() + "must hold one PEM private key, found "
                    + keys.size() + key.pathHint());
        }
        if (certificates.isEmpty()) {
            throw new RegistryTlsException(chain.setting(), chain.where() + (oneFile
                    ? "holds no certificate for its private key" : "holds no PEM certificate" + chain.pathHint()));
        }
        PrivateKey privateKey = PemKeys.read(keys.get(0), key, keyPassword, certificates.get(0),
                oneFile ? "its first certificate" : "the first certificate of " + chain.setting());
        try {
            KeyStore store = emptyStore();
            store.setKeyEntry("client", privateKey, IN_MEMORY, certificates.toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException e) {
            throw new RegistryTlsException(key.setting(), key.where() + "holds a private key that cannot be "
                    + "stored with its certificate chain (" + e.getMessage() + ")", e);
        }
    }

    private static List<X509Certificate> certificates(Pem source) {
        List<X509Certificate> out = new ArrayList<>();
        for (PemBlock block : blocks(source.text())) {
            if (!block.label().equals("CERTIFICATE")) {
                continue;
            }
            try {
                out.add((X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(decode(block, source))));
            } catch (CertificateException e) {
                throw new RegistryTlsException(source.setting(), source.where() + "holds a certificate that cannot "
                        + "be read (" + e.getMessage() + ")", e);
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

    static byte[] decode(PemBlock block, Pem source) {
        try {
            return Base64.getMimeDecoder().decode(block.body().trim());
        } catch (IllegalArgumentException e) {
            throw new RegistryTlsException(source.setting(), source.where() + "holds a " + block.label()
                    + " block that is not Base64", e);
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

    /** One {@code -----BEGIN label-----} ... {@code -----END label-----} block, its body still Base64. */
    record PemBlock(String label, String body) {
    }

    /**
     * Where PEM text comes from, for messages: a file ({@code location} named by {@code setting}) or a setting's own
     * value ({@code location} null; the value itself is never shown, it may be a private key).
     */
    record Pem(String setting, String location, String text) {
        /** The file and a space, before "holds ...", or nothing when the setting holds the text itself. */
        String where() {
            return location == null ? "" : location + " ";
        }

        /** The file, or the setting that holds the text. */
        String name() {
            return location == null ? setting : location;
        }

        /** For a value that is no PEM at all: most likely a path given where the text itself belongs. */
        String pathHint() {
            if (location != null || text.contains("-----BEGIN ")) {
                return "";
            }
            String file = setting.equals(TRUSTSTORE_CERTIFICATES) ? TRUSTSTORE_LOCATION : KEYSTORE_LOCATION;
            return " (it holds the PEM text itself, not a file's path: a file goes in " + file + ")";
        }

        /** Never the text: it may be a private key. */
        @Override
        public String toString() {
            return location == null ? setting : setting + "=" + location;
        }
    }
}
