package io.egoiverify.schemas.registry;

import static io.egoiverify.schemas.registry.RegistryTls.ENDPOINT_IDENTIFICATION_ALGORITHM;
import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_LOCATION;
import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_PASSWORD;
import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_TYPE;
import static io.egoiverify.schemas.registry.RegistryTls.KEY_PASSWORD;
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
import java.nio.file.Path;
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
                .hasMessage(KEY_PASSWORD + " is set without " + KEYSTORE_LOCATION);
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
}
