package io.egoiverify.schemas.it;

import static io.egoiverify.schemas.registry.RegistryTls.ENDPOINT_IDENTIFICATION_ALGORITHM;
import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_CERTIFICATE_CHAIN;
import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_KEY;
import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_LOCATION;
import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_TYPE;
import static io.egoiverify.schemas.registry.RegistryTls.KEYSTORE_PASSWORD;
import static io.egoiverify.schemas.registry.RegistryTls.KEY_PASSWORD;
import static io.egoiverify.schemas.registry.RegistryTls.TRUSTSTORE_CERTIFICATES;
import static io.egoiverify.schemas.registry.RegistryTls.TRUSTSTORE_LOCATION;
import static io.egoiverify.schemas.registry.RegistryTls.TRUSTSTORE_PASSWORD;
import static io.egoiverify.schemas.registry.RegistryTls.TRUSTSTORE_TYPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.events.VerificationRequested;
import io.egoiverify.schemas.registry.RegistryTlsException;
import io.egoiverify.schemas.registry.RegistryUnavailableException;
import io.egoiverify.schemas.registry.SchemaRegistryClient;
import io.egoiverify.schemas.registry.SchemaRegistryClients;
import io.egoiverify.testing.SchemaRegistryProcess;
import io.egoiverify.testing.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.apache.avro.Schema;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code schema.registry.ssl.*} against real registry processes serving HTTPS with a certificate from a throwaway
 * private CA: one with server TLS only, one that requires client certificates (mutual TLS). Each case registers a
 * schema and reads it back through the client the serdes use ({@link SchemaRegistryClients#fromConfig}).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RegistryTlsIT {
    private static final Schema SCHEMA = VerificationRequested.getClassSchema();

    @TempDir
    static Path dir;
    static TestPki pki;
    static SchemaRegistryProcess serverTls;
    static SchemaRegistryProcess mutualTls;

    @BeforeAll
    static void start() {
        pki = TestPki.create(dir);
        CompletableFuture<SchemaRegistryProcess> mutual =
                CompletableFuture.supplyAsync(() -> SchemaRegistryProcess.startHttps(pki, true));
        serverTls = SchemaRegistryProcess.startHttps(pki, false);
        mutualTls = mutual.join();
    }

    @AfterAll
    static void stop() {
        if (serverTls != null) {
            serverTls.close();
        }
        if (mutualTls != null) {
            mutualTls.close();
        }
    }

    private static Map<String, Object> settings(String url, String... keyValues) {
        Map<String, Object> props = new HashMap<>();
        props.put("schema.registry.url", url);
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    /** Registers under a subject of this test's own and reads the schema back by id. */
    private static void roundTrip(Map<String, Object> settings, TestInfo test) {
        String subject = "tls-" + test.getTestMethod().orElseThrow().getName() + "-" + settings.size() + "-value";
        try (SchemaRegistryClient client = SchemaRegistryClients.fromConfig(settings)) {
            int id = client.register(subject, SCHEMA);
            assertThat(client.latest(subject).id()).isEqualTo(id);
        }
        // A fresh client fetches by id: nothing comes from the first one's cache.
        try (SchemaRegistryClient fresh = SchemaRegistryClients.fromConfig(settings)) {
            assertThat(fresh.latest(subject).schema()).isEqualTo(SCHEMA);
        }
    }

    private static void refused(Map<String, Object> settings, String why) {
        refused(settings).hasMessageContaining(why).cause().isInstanceOf(SSLException.class);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> refused(Map<String, Object> settings) {
        try (SchemaRegistryClient client = SchemaRegistryClients.fromConfig(settings)) {
            return assertThatThrownBy(() -> client.register("tls-refused-value", SCHEMA))
                    .isInstanceOf(RegistryUnavailableException.class)
                    .hasMessageContaining("schema registry cannot be reached")
                    .hasMessageContaining("(TLS: check " + TRUSTSTORE_LOCATION);
        }
    }

    @Test
    void aPemCaFileReachesThePrivateCaRegistry(TestInfo test) {
        roundTrip(settings(serverTls.httpsUrl(), TRUSTSTORE_LOCATION, pki.caPem.toString()), test);
    }

    @Test
    void aPemBundleWithTheCaReachesIt(TestInfo test) {
        roundTrip(settings(serverTls.httpsUrl(), TRUSTSTORE_LOCATION, pki.caBundlePem.toString(), TRUSTSTORE_TYPE,
                "PEM"), test);
    }

    @Test
    void pkcs12AndJksTrustStoresReachIt(TestInfo test) {
        roundTrip(settings(serverTls.httpsUrl(), TRUSTSTORE_LOCATION, pki.truststoreP12.toString(),
                TRUSTSTORE_PASSWORD, TestPki.PASSWORD, TRUSTSTORE_TYPE, "PKCS12"), test);
        roundTrip(settings(serverTls.httpsUrl(), TRUSTSTORE_LOCATION, pki.truststoreJks.toString(),
                TRUSTSTORE_PASSWORD, TestPki.PASSWORD), test);
    }

    @Test
    void withoutATrustStoreThePrivateCaIsRefused() {
        refused(settings(serverTls.httpsUrl()), "PKIX path building failed");
    }

    @Test
    void aCertificateThatDoesNotNameTheHostIsRefusedUnlessVerificationIsOff(TestInfo test) {
        // The certificate names IP:127.0.0.1 only; localhost is the same registry under a name it does not carry.
        String byName = serverTls.httpsUrl("localhost");
        refused(settings(byName, TRUSTSTORE_LOCATION, pki.caPem.toString()), "No name matching localhost found");
        refused(settings(byName, TRUSTSTORE_LOCATION, pki.caPem.toString(), ENDPOINT_IDENTIFICATION_ALGORITHM,
                "https"), "No name matching localhost found");
        roundTrip(settings(byName, TRUSTSTORE_LOCATION, pki.caPem.toString(), ENDPOINT_IDENTIFICATION_ALGORITHM,
                ""), test);
    }

    @Test
    void mutualTlsRefusesAClientWithoutACertificate() {
        // TLS 1.3: the client's handshake is done before the registry checks for a certificate, so the refusal shows
        // as an alert, or as a broken pipe or reset when the client writes its request first.
        refused(settings(mutualTls.httpsUrl(), TRUSTSTORE_LOCATION, pki.caPem.toString()))
                .cause().isInstanceOfAny(SSLException.class, SocketException.class);
    }

    @Test
    void mutualTlsAcceptsAPkcs12KeyStore(TestInfo test) {
        roundTrip(settings(mutualTls.httpsUrl(), TRUSTSTORE_LOCATION, pki.caPem.toString(), KEYSTORE_LOCATION,
                pki.clientP12.toString(), KEYSTORE_PASSWORD, TestPki.PASSWORD), test);
    }

    @Test
    void mutualTlsAcceptsPemKeyStoresEncryptedOrNot(TestInfo test) {
        roundTrip(settings(mutualTls.httpsUrl(), TRUSTSTORE_LOCATION, pki.caPem.toString(), KEYSTORE_LOCATION,
                pki.clientPem.toString()), test);
        roundTrip(settings(mutualTls.httpsUrl(), TRUSTSTORE_LOCATION, pki.caPem.toString(), KEYSTORE_LOCATION,
                pki.clientEncryptedPem.toString(), KEY_PASSWORD, TestPki.PASSWORD), test);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Kafka's value forms, as cert-manager's Secret gives them through {@code _FILE}s: the key, the certificate and
     * the CA in three values. With the EC key in PKCS#8 and in SEC1, and an RSA key in PKCS#1 (cert-manager's
     * defaults), each with its own certificate signed by the CA.
     */
    @Test
    void mutualTlsAcceptsASeparateKeyChainAndTrustedCertificatesGivenAsValues(TestInfo test) {
        String ca = read(pki.caPem);
        roundTrip(settings(mutualTls.httpsUrl(), TRUSTSTORE_CERTIFICATES, ca, KEYSTORE_KEY, read(pki.clientKey),
                KEYSTORE_CERTIFICATE_CHAIN, read(pki.clientCrt)), test);
        roundTrip(settings(mutualTls.httpsUrl(), TRUSTSTORE_CERTIFICATES, ca, KEYSTORE_KEY, read(pki.clientEcKey),
                KEYSTORE_CERTIFICATE_CHAIN, read(pki.clientCrt), KEYSTORE_TYPE, "PEM"), test);
        Path certManager = pki.certManager;
        roundTrip(settings(mutualTls.httpsUrl(), TRUSTSTORE_CERTIFICATES, read(certManager.resolve("ca.crt")),
                KEYSTORE_KEY, read(certManager.resolve("tls.key")), KEYSTORE_CERTIFICATE_CHAIN,
                read(certManager.resolve("tls.crt")), TRUSTSTORE_TYPE, "PEM", KEYSTORE_TYPE, "PEM"), test);
    }

    /**
     * A key from one certificate and the chain of another (here the registry's own key with the client's
     * certificate) would only show as a handshake the registry breaks off; the client refuses it when it is made,
     * naming the setting and never showing the key.
     */
    @Test
    void aKeyThatDoesNotMatchItsChainIsRefusedBeforeAnyRequest() {
        Map<String, Object> settings = settings(mutualTls.httpsUrl(), TRUSTSTORE_CERTIFICATES, read(pki.caPem),
                KEYSTORE_KEY, read(pki.serverKey), KEYSTORE_CERTIFICATE_CHAIN, read(pki.clientCrt));
        String keyLine = read(pki.serverKey).lines().skip(1).findFirst().orElseThrow();
        assertThatThrownBy(() -> {
            try (SchemaRegistryClient client = SchemaRegistryClients.fromConfig(settings)) {
                client.register("tls-mismatch-value", SCHEMA);
            }
        })
                .isInstanceOfSatisfying(RegistryTlsException.class,
                        e -> assertThat(e.setting()).isEqualTo(KEYSTORE_KEY))
                .hasMessage(KEYSTORE_KEY + " holds a private key that does not match the first certificate of "
                        + KEYSTORE_CERTIFICATE_CHAIN + ": the chain must start with the certificate issued for this "
                        + "key")
                .hasMessageNotContaining(keyLine);
    }
}
