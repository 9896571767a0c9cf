package io.egoiverify.schemas.registry;

import static io.egoiverify.schemas.registry.RegistryTls.ENDPOINT_IDENTIFICATION_ALGORITHM;
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
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.egoiverify.schemas.serde.AvroSerdeConfig;
import io.egoiverify.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.interfaces.ECPrivateKey;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Parsing and loading of {@code schema.registry.ssl.*} against stores made by keytool. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RegistryTlsTest {
    private static final String WRONG = "not-the-password-42";

    @TempDir
    static Path dir;
    static TestPki pki;

    @BeforeAll
    static void makePki() {
        pki = TestPki.create(dir);
    }

    private static RegistryTls tls(String... keyValues) {
        Map<String, String> props = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return RegistryTls.from(props);
    }

    private static X509TrustManager trust(RegistryTls tls) {
        TrustManager[] managers = TlsStores.trustManagers(tls);
        return (X509TrustManager) managers[0];
    }

    private static X509KeyManager keys(RegistryTls tls) {
        KeyManager[] managers = TlsStores.keyManagers(tls);
        return (X509KeyManager) managers[0];
    }

    @Test
    void nothingSetKeepsTheJvmDefaults() {
        RegistryTls none = RegistryTls.from(Map.of());
        assertThat(none).isEqualTo(RegistryTls.NONE);
        assertThat(none.isDefault()).isTrue();
        assertThat(none.verifyHostname()).isTrue();
        assertThat(none.sslContext()).isEmpty();
        assertThat(RegistryClientConfig.of("https://registry:8081").tls().isDefault()).isTrue();
        assertThat(tls(ENDPOINT_IDENTIFICATION_ALGORITHM, "HTTPS").isDefault()).isTrue();
    }

    @Test
    void anEmptyEndpointIdentificationAlgorithmTurnsHostNameVerificationOff() {
        RegistryTls off = tls(ENDPOINT_IDENTIFICATION_ALGORITHM, "");
        assertThat(off.verifyHostname()).isFalse();
        assertThat(off.isDefault()).isFalse();
        assertThat(off.sslContext()).isEmpty(); // the JVM's trust store still applies
        assertThatThrownBy(() -> tls(ENDPOINT_IDENTIFICATION_ALGORITHM, "LDAPS"))
                .isInstanceOf(RegistryTlsException.class)
                .hasMessageStartingWith(ENDPOINT_IDENTIFICATION_ALGORITHM + " must be https");
    }

    @Test
    void typesAreJksPkcs12OrPemInAnyCase() {
        assertThat(tls(TRUSTSTORE_LOCATION, "x", TRUSTSTORE_TYPE, "pkcs12").truststoreType()).isEqualTo("PKCS12");
        assertThat(tls(KEYSTORE_LOCATION, "x", KEYSTORE_TYPE, " pem ").keystoreType()).isEqualTo("PEM");
        assertThatThrownBy(() -> tls(TRUSTSTORE_LOCATION, "x", TRUSTSTORE_TYPE, "P12"))
                .isInstanceOf(RegistryTlsException.class).hasMessageContaining(TRUSTSTORE_TYPE)
                .hasMessageContaining("JKS, PKCS12 or PEM");
    }

    @Test
    void aPasswordOrTypeWithoutItsFileIsRefused() {
        assertThatThrownBy(() -> tls(TRUSTSTORE_PASSWORD, "secret-1")).isInstanceOf(RegistryTlsException.class)
                .hasMessage(TRUSTSTORE_PASSWORD + " is set without " + TRUSTSTORE_LOCATION);
        assertThatThrownBy(() -> tls(KEYSTORE_TYPE, "PKCS12")).isInstanceOf(RegistryTlsException.class)
                .hasMessage(KEYSTORE_TYPE + " is set without " + KEYSTORE_LOCATION);
        assertThatThrownBy(() -> tls(KEY_PASSWORD, "secret-2")).isInstanceOf(RegistryTlsException.class)
                .hasMessage(KEY_PASSWORD + " is set without " + KEYSTORE_LOCATION + " or " + KEYSTORE_KEY);
    }

    @Test
    void aPemTrustStoreIsInferredAndMayBeABundle() {
        assertThat(trust(tls(TRUSTSTORE_LOCATION, pki.caPem.toString())).getAcceptedIssuers()).hasSize(1)
                .allSatisfy(c -> assertThat(c.getSubjectX500Principal().getName()).contains("egoi-verify test CA"));
        assertThat(trust(tls(TRUSTSTORE_LOCATION, pki.caBundlePem.toString(), TRUSTSTORE_TYPE, "PEM"))
                .getAcceptedIssuers()).hasSize(2);
        assertThat(tls(TRUSTSTORE_LOCATION, pki.caPem.toString()).sslContext()).isPresent();
    }

    @Test
    void pkcs12AndJksTrustStoresLoadWithOrWithoutTheirType() {
        for (String type : new String[] {"PKCS12", null}) { // unset: JKS, whose JDK loader reads PKCS12 too
            RegistryTls p12 = tls(TRUSTSTORE_LOCATION, pki.truststoreP12.toString(), TRUSTSTORE_PASSWORD,
                    TestPki.PASSWORD, TRUSTSTORE_TYPE, type == null ? "" : type);
            assertThat(trust(p12).getAcceptedIssuers()).as("type %s", type).hasSize(1);
        }
        assertThat(trust(tls(TRUSTSTORE_LOCATION, pki.truststoreJks.toString(), TRUSTSTORE_PASSWORD,
                TestPki.PASSWORD, TRUSTSTORE_TYPE, "JKS")).getAcceptedIssuers()).hasSize(1);
    }

    @Test
    void aMissingFileNamesItsSetting() {
        Path missing = dir.resolve("no-such-ca.crt");
        assertThatThrownBy(() -> tls(TRUSTSTORE_LOCATION, missing.toString()).sslContext())
                .isInstanceOfSatisfying(RegistryTlsException.class,
                        e -> assertThat(e.setting()).isEqualTo(TRUSTSTORE_LOCATION))
                .hasMessage(TRUSTSTORE_LOCATION + " cannot be read: " + missing + " (NoSuchFileException)");
        assertThatThrownBy(() -> tls(KEYSTORE_LOCATION, missing.toString(), KEYSTORE_PASSWORD, "x").sslContext())
                .isInstanceOfSatisfying(RegistryTlsException.class,
                        e -> assertThat(e.setting()).isEqualTo(KEYSTORE_LOCATION));
    }

    @Test
    void aWrongTrustStorePasswordNamesTheSettingButNotThePassword() {
        for (Path store : new Path[] {pki.truststoreP12, pki.truststoreJks}) {
            assertThatThrownBy(() -> tls(TRUSTSTORE_LOCATION, store.toString(), TRUSTSTORE_PASSWORD, WRONG)
                    .sslContext())
                    .isInstanceOfSatisfying(RegistryTlsException.class,
                            e -> assertThat(e.setting()).isEqualTo(TRUSTSTORE_PASSWORD))
                    .hasMessage(TRUSTSTORE_PASSWORD + " is wrong for " + store)
                    .satisfies(e -> assertThat(e.getCause().toString()).doesNotContain(WRONG));
        }
    }

    @Test
    void aWrongKeyStoreOrKeyPasswordNamesTheSettingButNotThePassword() {
        assertThatThrownBy(() -> tls(KEYSTORE_LOCATION, pki.clientP12.toString(), KEYSTORE_PASSWORD, WRONG)
                .sslContext())
                .isInstanceOfSatisfying(RegistryTlsException.class,
                        e -> assertThat(e.setting()).isEqualTo(KEYSTORE_PASSWORD))
                .hasMessage(KEYSTORE_PASSWORD + " is wrong for " + pki.clientP12);
        assertThatThrownBy(() -> tls(KEYSTORE_LOCATION, pki.clientP12.toString(), KEYSTORE_PASSWORD,
                TestPki.PASSWORD, KEY_PASSWORD, WRONG).sslContext())
                .isInstanceOfSatisfying(RegistryTlsException.class,
                        e -> assertThat(e.setting()).isEqualTo(KEY_PASSWORD))
                .hasMessage(KEY_PASSWORD + " does not unlock the private key in " + pki.clientP12)
                .hasMessageNotContaining(TestPki.PASSWORD);
        assertThatThrownBy(() -> tls(KEYSTORE_LOCATION, pki.clientP12.toString()).sslContext())
                .isInstanceOf(RegistryTlsException.class)
                .hasMessage(KEYSTORE_PASSWORD + " is required with a JKS key store (" + pki.clientP12 + ")");
    }

    @Test
    void pkcs12AndPemKeyStoresGiveTheClientItsCertificate() {
        X509KeyManager p12 = keys(tls(KEYSTORE_LOCATION, pki.clientP12.toString(), KEYSTORE_PASSWORD,
                TestPki.PASSWORD, KEYSTORE_TYPE, "PKCS12"));
        assertThat(p12.getClientAliases("EC", null)).hasSize(1);
        X509KeyManager pem = keys(tls(KEYSTORE_LOCATION, pki.clientPem.toString()));
        String alias = pem.getClientAliases("EC", null)[0];
        assertThat(pem.getCertificateChain(alias)).hasSize(2);
        assertThat(pem.getPrivateKey(alias).getAlgorithm()).isEqualTo("EC");
        X509KeyManager encrypted = keys(tls(KEYSTORE_LOCATION, pki.clientEncryptedPem.toString(), KEY_PASSWORD,
                TestPki.PASSWORD));
        assertThat(encrypted.getClientAliases("EC", null)).hasSize(1);
    }

    @Test
    void anEncryptedPemKeyNeedsTheRightKeyPassword() {
        String location = pki.clientEncryptedPem.toString();
        assertThatThrownBy(() -> tls(KEYSTORE_LOCATION, location).sslContext())
                .isInstanceOf(RegistryTlsException.class)
                .hasMessage(KEY_PASSWORD + " is required: the private key in " + location + " is encrypted");
        assertThatThrownBy(() -> tls(KEYSTORE_LOCATION, location, KEY_PASSWORD, WRONG).sslContext())
                .isInstanceOf(RegistryTlsException.class)
                .hasMessage(KEY_PASSWORD + " does not decrypt the private key in " + location);
        assertThatThrownBy(() -> tls(KEYSTORE_LOCATION, location, KEYSTORE_PASSWORD, TestPki.PASSWORD).sslContext())
                .isInstanceOf(RegistryTlsException.class).hasMessageStartingWith(KEYSTORE_PASSWORD
                        + " is not used with a PEM key store");
    }

    @Test
    void aFileOfTheWrongTypeSaysSo() {
        assertThatThrownBy(() -> tls(TRUSTSTORE_LOCATION, pki.truststoreP12.toString(), TRUSTSTORE_TYPE, "PEM")
                .sslContext())
                .isInstanceOf(RegistryTlsException.class)
                .hasMessage(TRUSTSTORE_LOCATION + " " + pki.truststoreP12 + " holds no PEM certificate");
        assertThatThrownBy(() -> tls(TRUSTSTORE_LOCATION, pki.caPem.toString(), TRUSTSTORE_TYPE, "PKCS12")
                .sslContext())
                .isInstanceOf(RegistryTlsException.class)
                .hasMessageStartingWith(TRUSTSTORE_LOCATION + " " + pki.caPem + " cannot be read as a PKCS12 store")
                .hasMessageEndingWith("its type is set with " + TRUSTSTORE_TYPE + ": JKS, PKCS12 or PEM");
        assertThatThrownBy(() -> tls(TRUSTSTORE_LOCATION, pki.caPem.toString(), TRUSTSTORE_PASSWORD, "x")
                .sslContext())
                .isInstanceOf(RegistryTlsException.class)
                .hasMessage(TRUSTSTORE_PASSWORD + " is not used with a PEM trust store: remove it");
    }

    /**
     * keytool (and cert-manager's truststore.p12) encrypts a PKCS12 store's certificates: read without the password,
     * the JDK sees an empty store. The setting to fix is the password, not the file.
     */
    @Test
    void aPkcs12TrustStoreWithoutItsPasswordAsksForIt() {
        for (String type : new String[] {"PKCS12", ""}) {
            assertThatThrownBy(() -> tls(TRUSTSTORE_LOCATION, pki.truststoreP12.toString(), TRUSTSTORE_TYPE, type)
                    .sslContext())
                    .isInstanceOfSatisfying(RegistryTlsException.class,
                            e -> assertThat(e.setting()).as("type '%s'", type).isEqualTo(TRUSTSTORE_PASSWORD));
        }
    }

    @Test
    void noStringOfTheConfigurationShowsAPassword() {
        Map<String, String> props = new HashMap<>(Map.of("schema.registry.url", "https://registry:8081",
                TRUSTSTORE_LOCATION, pki.truststoreP12.toString(), TRUSTSTORE_PASSWORD, "trust-secret-1",
                KEYSTORE_LOCATION, pki.clientP12.toString(), KEYSTORE_PASSWORD, "keystore-secret-2",
                KEY_PASSWORD, "key-secret-3"));
        RegistryTls tls = RegistryTls.from(props);
        String[] shown = {tls.toString(), RegistryClientConfig.from(props).toString(),
            AvroSerdeConfig.from(props).toString()};
        for (String text : shown) {
            assertThat(text).contains(pki.truststoreP12.toString()).doesNotContain("secret");
        }
        assertThat(tls.toProperties()).containsAllEntriesOf(props.entrySet().stream()
                .filter(e -> e.getKey().startsWith(RegistryTls.PREFIX))
                .collect(HashMap::new, (m, e) -> m.put(e.getKey(), e.getValue()), HashMap::putAll));
        assertThat(RegistryTls.from(tls.toProperties())).isEqualTo(tls);
    }

    /** Valid stores with only plain-http URLs are never used: said once, at start-up, rather than silently. */
    @Test
    void storesWithAPlainHttpRegistrySayTheyHaveNoEffect() {
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Logger logger = (Logger) LoggerFactory.getLogger(RegistryHttp.class);
        logger.addAppender(captured);
        try {
            Map<String, Object> props = new HashMap<>(Map.of(TRUSTSTORE_LOCATION, pki.caPem.toString()));
            props.put(RegistryClientConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:1");
            new HttpSchemaRegistryClient(RegistryClientConfig.from(props)).close();
            props.put(RegistryClientConfig.SCHEMA_REGISTRY_URL, "https://127.0.0.1:1,http://127.0.0.1:2");
            new HttpSchemaRegistryClient(RegistryClientConfig.from(props)).close();
        } finally {
            logger.detachAppender(captured);
        }
        assertThat(captured.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("schema.registry.ssl.* are set but no schema.registry.url URL is https: they have no effect");
    }

    // --- PEM material as values: ssl.keystore.key, ssl.keystore.certificate.chain, ssl.truststore.certificates ---

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Key p12Key(Path p12, String alias) {
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, TestPki.PASSWORD.toCharArray());
            return store.getKey(alias, TestPki.PASSWORD.toCharArray());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A line of the key's Base64 body: no message may hold it. */
    private static String keyLine(Path keyFile) {
        return read(keyFile).lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    }

    private static void refusedNaming(RegistryTls tls, String setting, String message, Path keyFile) {
        assertThatThrownBy(tls::sslContext)
                .isInstanceOfSatisfying(RegistryTlsException.class, e -> assertThat(e.setting()).isEqualTo(setting))
                .hasMessage(setting + " " + message)
                .hasMessageNotContaining(keyLine(keyFile)).hasMessageNotContaining(TestPki.PASSWORD);
    }

    @Test
    void aPemKeyAndChainGivenAsValuesGiveTheClientItsCertificate() {
        for (String type : new String[] {null, "pem"}) { // unset, PEM is implied
            RegistryTls tls = tls(KEYSTORE_KEY, read(pki.clientKey), KEYSTORE_CERTIFICATE_CHAIN, read(pki.clientCrt),
                    KEYSTORE_TYPE, type == null ? "" : type);
            assertThat(tls.hasKeyStore()).isTrue();
            assertThat(tls.isDefault()).isFalse();
            X509KeyManager keys = keys(tls);
            String alias = keys.getClientAliases("EC", null)[0];
            assertThat(keys.getCertificateChain(alias)).as("type %s", type).hasSize(1);
            assertThat(keys.getPrivateKey(alias).getEncoded()).isEqualTo(p12Key(pki.clientP12, "client").getEncoded());
            assertThat(tls.sslContext()).isPresent();
        }
        X509KeyManager encrypted = keys(tls(KEYSTORE_KEY, read(pki.clientEncryptedKey), KEYSTORE_CERTIFICATE_CHAIN,
                read(pki.clientCrt) + read(pki.caPem), KEY_PASSWORD, TestPki.PASSWORD));
        String alias = encrypted.getClientAliases("EC", null)[0];
        assertThat(encrypted.getCertificateChain(alias)).hasSize(2);
        assertThat(encrypted.getPrivateKey(alias).getEncoded())
                .isEqualTo(p12Key(pki.clientP12, "client").getEncoded());
    }

    @Test
    void trustedCertificatesGivenAsAValueReplaceTheJvmsCas() {
        RegistryTls tls = tls(TRUSTSTORE_CERTIFICATES, read(pki.caBundlePem));
        assertThat(tls.hasTrustStore()).isTrue();
        assertThat(tls.isDefault()).isFalse();
        assertThat(trust(tls).getAcceptedIssuers()).hasSize(2);
        assertThat(trust(tls(TRUSTSTORE_CERTIFICATES, read(pki.caPem), TRUSTSTORE_TYPE, "PEM")).getAcceptedIssuers())
                .singleElement().satisfies(c -> assertThat(c.getSubjectX500Principal().getName())
                        .contains("egoi-verify test CA"));
        assertThat(tls.sslContext()).isPresent();
    }

    /**
     * cert-manager writes PKCS#1 RSA and SEC1 EC keys unless privateKey.encoding is PKCS8; Kafka reads PKCS#8 only.
     * Read here, they are the very keys the PKCS12 stores hold.
     */
    @Test
    void pkcs1RsaAndSec1EcKeysAreReadAsCertManagerWritesThem() {
        String tlsKey = read(pki.certManager.resolve("tls.key"));
        String tlsCrt = read(pki.certManager.resolve("tls.crt"));
        assertThat(tlsKey).startsWith("-----BEGIN RSA PRIVATE KEY-----\n");
        X509KeyManager rsa = keys(tls(KEYSTORE_KEY, tlsKey, KEYSTORE_CERTIFICATE_CHAIN, tlsCrt));
        String rsaAlias = rsa.getClientAliases("RSA", null)[0];
        assertThat(rsa.getPrivateKey(rsaAlias).getEncoded())
                .isEqualTo(p12Key(pki.clientRsaP12, "client-rsa").getEncoded());

        assertThat(read(pki.clientEcKey)).startsWith("-----BEGIN EC PRIVATE KEY-----\n");
        X509KeyManager ec = keys(tls(KEYSTORE_KEY, read(pki.clientEcKey), KEYSTORE_CERTIFICATE_CHAIN,
                read(pki.clientCrt)));
        String ecAlias = ec.getClientAliases("EC", null)[0];
        // the JDK keeps the SEC1 structure as given (with its curve and public key): the same scalar on the same curve
        ECPrivateKey read = (ECPrivateKey) ec.getPrivateKey(ecAlias);
        ECPrivateKey expected = (ECPrivateKey) p12Key(pki.clientP12, "client");
        assertThat(read.getS()).isEqualTo(expected.getS());
        assertThat(read.getParams().toString()).isEqualTo(expected.getParams().toString()).contains("secp256r1");

        // the same forms in one PEM key store file
        Path oneFile = dir.resolve("tls-key-and-crt.pem");
        write(oneFile, tlsKey + tlsCrt);
        assertThat(keys(tls(KEYSTORE_LOCATION, oneFile.toString())).getClientAliases("RSA", null)).hasSize(1);
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kafka's rules for the values, refused before any file is read. */
    @Test
    void pemValuesThatContradictOtherSettingsAreRefused() {
        String key = read(pki.clientKey);
        String chain = read(pki.clientCrt);
        String ca = read(pki.caPem);
        Object[][] cases = {
            {new String[] {KEYSTORE_KEY, key}, KEYSTORE_KEY, "is set without " + KEYSTORE_CERTIFICATE_CHAIN
                + " (the key's certificate chain): give both"},
            {new String[] {KEYSTORE_CERTIFICATE_CHAIN, chain}, KEYSTORE_CERTIFICATE_CHAIN, "is set without "
                + KEYSTORE_KEY + " (its private key): give both"},
            {new String[] {KEYSTORE_KEY, key, KEYSTORE_CERTIFICATE_CHAIN, chain, KEYSTORE_LOCATION,
                pki.clientPem.toString()}, KEYSTORE_KEY, "is set together with " + KEYSTORE_LOCATION
                + ": give one or the other"},
            {new String[] {KEYSTORE_KEY, key, KEYSTORE_CERTIFICATE_CHAIN, chain, KEYSTORE_TYPE, "PKCS12"},
                KEYSTORE_TYPE, "must be PEM (or unset) with " + KEYSTORE_KEY + ", got PKCS12"},
            {new String[] {KEYSTORE_KEY, key, KEYSTORE_CERTIFICATE_CHAIN, chain, KEYSTORE_PASSWORD,
                TestPki.PASSWORD}, KEYSTORE_PASSWORD, "is not used with a PEM key (" + KEYSTORE_KEY
                + "; an encrypted key's password goes in " + KEY_PASSWORD + "): remove it"},
            {new String[] {TRUSTSTORE_CERTIFICATES, ca, TRUSTSTORE_LOCATION, pki.caPem.toString()},
                TRUSTSTORE_CERTIFICATES, "are set together with " + TRUSTSTORE_LOCATION + ": give one or the other"},
            {new String[] {TRUSTSTORE_CERTIFICATES, ca, TRUSTSTORE_TYPE, "jks"}, TRUSTSTORE_TYPE,
                "must be PEM (or unset) with " + TRUSTSTORE_CERTIFICATES + ", got JKS"},
            {new String[] {TRUSTSTORE_CERTIFICATES, ca, TRUSTSTORE_PASSWORD, TestPki.PASSWORD}, TRUSTSTORE_PASSWORD,
                "is not used with PEM certificates (" + TRUSTSTORE_CERTIFICATES + "): remove it"},
        };
        for (Object[] c : cases) {
            String[] settings = (String[]) c[0];
            assertThatThrownBy(() -> tls(settings)).as(String.join(" ", settings[0], settings[settings.length - 2]))
                    .isInstanceOfSatisfying(RegistryTlsException.class,
                            e -> assertThat(e.setting()).isEqualTo(c[1]))
                    .hasMessage(c[1] + " " + c[2])
                    .hasMessageNotContaining(keyLine(pki.clientKey)).hasMessageNotContaining(TestPki.PASSWORD);
        }
    }

    @Test
    void aKeyThatIsNotTheChainsIsRefusedAtStartUp() {
        String mismatch = "holds a private key that does not match the first certificate of "
                + KEYSTORE_CERTIFICATE_CHAIN + ": the chain must start with the certificate issued for this key";
        // same type (EC P-256), another key: only the signature check can tell
        refusedNaming(tls(KEYSTORE_KEY, read(pki.serverKey), KEYSTORE_CERTIFICATE_CHAIN, read(pki.clientCrt)),
                KEYSTORE_KEY, mismatch, pki.serverKey);
        // the chain in the wrong order: the CA first
        refusedNaming(tls(KEYSTORE_KEY, read(pki.clientKey), KEYSTORE_CERTIFICATE_CHAIN,
                read(pki.caPem) + read(pki.clientCrt)), KEYSTORE_KEY, mismatch, pki.clientKey);
        // cert-manager's RSA key with the EC certificate, and the EC key with the RSA one
        Path rsaKey = pki.certManager.resolve("tls.key");
        refusedNaming(tls(KEYSTORE_KEY, read(rsaKey), KEYSTORE_CERTIFICATE_CHAIN, read(pki.clientCrt)),
                KEYSTORE_KEY, mismatch.replace(": the", " (the key is of type RSA, the certificate's of type EC): the"),
                rsaKey);
        refusedNaming(tls(KEYSTORE_KEY, read(pki.clientEcKey), KEYSTORE_CERTIFICATE_CHAIN,
                read(pki.certManager.resolve("tls.crt"))), KEYSTORE_KEY,
                mismatch.replace(": the", " (the key is of type EC, the certificate's of type RSA): the"),
                pki.clientEcKey);
        refusedNaming(tls(KEYSTORE_KEY, read(pki.clientKey), KEYSTORE_CERTIFICATE_CHAIN,
                read(pki.certManager.resolve("tls.crt"))), KEYSTORE_KEY,
                mismatch.replace(": the", " (the key is of type EC, the certificate's of type RSA): the"),
                pki.clientKey);
        // and in one file
        Path oneFile = dir.resolve("server-key-client-chain.pem");
        write(oneFile, read(pki.serverKey) + read(pki.clientCrt));
        refusedNaming(tls(KEYSTORE_LOCATION, oneFile.toString()), KEYSTORE_LOCATION, oneFile
                + " holds a private key that does not match its first certificate: the chain must start with the "
                + "certificate issued for this key", pki.serverKey);
    }

    @Test
    void pemValuesWithoutWhatTheyShouldHoldNameTheirSetting() {
        String key = read(pki.clientKey);
        String chain = read(pki.clientCrt);
        refusedNaming(tls(KEYSTORE_KEY, key, KEYSTORE_CERTIFICATE_CHAIN, key), KEYSTORE_CERTIFICATE_CHAIN,
                "holds no PEM certificate", pki.clientKey);
        refusedNaming(tls(KEYSTORE_KEY, chain, KEYSTORE_CERTIFICATE_CHAIN, chain), KEYSTORE_KEY,
                "must hold one PEM private key, found 0", pki.clientKey);
        refusedNaming(tls(KEYSTORE_KEY, key + read(pki.serverKey), KEYSTORE_CERTIFICATE_CHAIN, chain), KEYSTORE_KEY,
                "must hold one PEM private key, found 2", pki.clientKey);
        // a path where the text itself belongs (with _FILE the file's contents become the value)
        refusedNaming(tls(TRUSTSTORE_CERTIFICATES, "/etc/ssl/ca.crt"), TRUSTSTORE_CERTIFICATES,
                "holds no PEM certificate (it holds the PEM text itself, not a file's path: a file goes in "
                + TRUSTSTORE_LOCATION + ")", pki.clientKey);
        refusedNaming(tls(KEYSTORE_KEY, pki.clientKey.toString(), KEYSTORE_CERTIFICATE_CHAIN, chain), KEYSTORE_KEY,
                "must hold one PEM private key, found 0 (it holds the PEM text itself, not a file's path: a file goes "
                + "in " + KEYSTORE_LOCATION + ")", pki.clientKey);
        refusedNaming(tls(KEYSTORE_KEY, read(pki.clientEncryptedKey), KEYSTORE_CERTIFICATE_CHAIN, chain),
                KEY_PASSWORD, "is required: the private key in " + KEYSTORE_KEY + " is encrypted",
                pki.clientEncryptedKey);
        refusedNaming(tls(KEYSTORE_KEY, read(pki.clientEncryptedKey), KEYSTORE_CERTIFICATE_CHAIN, chain,
                KEY_PASSWORD, WRONG), KEY_PASSWORD, "does not decrypt the private key in " + KEYSTORE_KEY,
                pki.clientEncryptedKey);
    }

    /** Key forms not read are named, with what to do instead. */
    @Test
    void legacyEncryptedAndOtherKeyFormsAreRefusedWithTheWayOut() {
        String body = keyLine(pki.clientKey);
        String legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,"
                + "00112233445566778899AABBCCDDEEFF\n\n" + body + "\n-----END RSA PRIVATE KEY-----\n";
        assertThatThrownBy(() -> tls(KEYSTORE_KEY, legacy, KEYSTORE_CERTIFICATE_CHAIN, read(pki.clientCrt))
                .sslContext())
                .isInstanceOfSatisfying(RegistryTlsException.class,
                        e -> assertThat(e.setting()).isEqualTo(KEYSTORE_KEY))
                .hasMessage(KEYSTORE_KEY + " holds a key (BEGIN RSA PRIVATE KEY) encrypted the legacy OpenSSL way, "
                        + "which is not read: convert it to PKCS#8 (openssl pkcs8 -topk8) and give its password in "
                        + KEY_PASSWORD)
                .hasMessageNotContaining(body);
        String openssh = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "\n-----END OPENSSH PRIVATE KEY-----\n";
        assertThatThrownBy(() -> tls(KEYSTORE_KEY, openssh, KEYSTORE_CERTIFICATE_CHAIN, read(pki.clientCrt))
                .sslContext())
                .isInstanceOf(RegistryTlsException.class)
                .hasMessageStartingWith(KEYSTORE_KEY + " holds a key (BEGIN OPENSSH PRIVATE KEY) which is not read: "
                        + "give a PKCS#8 key")
                .hasMessageNotContaining(body);
        // a PKCS#1 label on bytes that are no RSA key
        String notRsa = "-----BEGIN RSA PRIVATE KEY-----\n" + body + "\n-----END RSA PRIVATE KEY-----\n";
        assertThatThrownBy(() -> tls(KEYSTORE_KEY, notRsa, KEYSTORE_CERTIFICATE_CHAIN, read(pki.clientCrt))
                .sslContext())
                .isInstanceOf(RegistryTlsException.class)
                .hasMessageStartingWith(KEYSTORE_KEY + " holds a key (BEGIN RSA PRIVATE KEY) that cannot be read as "
                        + "a key of type RSA (")
                .hasMessageNotContaining(body);
    }

    @Test
    void thePemValuesAreNeverShownAndSurviveBeingHandedOn() {
        Map<String, String> props = new HashMap<>(Map.of("schema.registry.url", "https://registry:8081",
                TRUSTSTORE_CERTIFICATES, read(pki.caPem), KEYSTORE_KEY, read(pki.clientEncryptedKey),
                KEYSTORE_CERTIFICATE_CHAIN, read(pki.clientCrt), KEY_PASSWORD, "key-secret-3"));
        RegistryTls tls = RegistryTls.from(props);
        String[] shown = {tls.toString(), RegistryClientConfig.from(props).toString(),
            AvroSerdeConfig.from(props).toString()};
        for (String text : shown) {
            assertThat(text).contains("truststore=PEM certificates (" + TRUSTSTORE_CERTIFICATES + ")")
                    .contains("keystore=PEM key and certificate chain (" + KEYSTORE_KEY + ", "
                            + KEYSTORE_CERTIFICATE_CHAIN + ")")
                    .doesNotContain("secret").doesNotContain("BEGIN").doesNotContain(keyLine(pki.clientEncryptedKey));
        }
        assertThat(RegistryTls.from(tls.toProperties())).isEqualTo(tls);
        assertThat(tls.toProperties()).containsEntry(KEYSTORE_KEY, read(pki.clientEncryptedKey).trim());
    }
}
