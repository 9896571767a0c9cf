package io.egoiverify.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.app.CliRun;
import io.egoiverify.schemas.registry.RegistryTls;
import io.egoiverify.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code schema.registry.ssl.*} as an operator sets them: environment variables, passwords from {@code _FILE}s,
 * checked by every command that uses the registry before it starts, and never printed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RegistryTlsSettingsTest {
    private static final String WRONG = "wrong-pass-from-a-file";

    @TempDir
    static Path dir;
    static TestPki pki;
    static Path passwordFile;
    static Path wrongPasswordFile;

    @BeforeAll
    static void makePki() throws Exception {
        pki = TestPki.create(dir);
        passwordFile = Files.writeString(dir.resolve("keystore-password"), TestPki.PASSWORD + "\n");
        wrongPasswordFile = Files.writeString(dir.resolve("wrong-password"), WRONG + "\n");
    }

    /** What a Kubernetes pod would set: an https URL, the CA from a secret, the client key store and its password. */
    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "https://127.0.0.1:1/apis/ccompat/v7");
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION", pki.caPem.toString());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_LOCATION", pki.clientP12.toString());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_TYPE", "PKCS12");
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_PASSWORD_FILE", passwordFile.toString());
        return env;
    }

    private static AppConfig config(Map<String, String> env) {
        return AppConfig.from(SettingsLoader.load(null, env, Map.of()), Mode.SCHEMAS);
    }

    @Test
    void theSettingsReachTheRegistryClientsConfiguration() {
        RegistryTls tls = config(env()).serde().registryTls();
        assertThat(tls.truststoreLocation()).isEqualTo(pki.caPem.toString());
        assertThat(tls.truststoreType()).isNull();
        assertThat(tls.keystoreLocation()).isEqualTo(pki.clientP12.toString());
        assertThat(tls.keystoreType()).isEqualTo("PKCS12");
        assertThat(tls.keystorePassword()).as("read from the _FILE, trailing newline stripped")
                .isEqualTo(TestPki.PASSWORD);
        assertThat(tls.verifyHostname()).isTrue();
    }

    @Test
    void withoutThemTheRegistryKeepsTheJvmDefaults() {
        Map<String, String> env = Map.of("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "https://registry:8081");
        assertThat(config(env).serde().registryTls()).isEqualTo(RegistryTls.NONE);
    }

    @Test
    void anEmptyEndpointIdentificationAlgorithmTurnsTheHostNameCheckOff() {
        Map<String, String> env = env();
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "");
        assertThat(config(env).serde().registryTls().verifyHostname()).isFalse();
    }

    @Test
    void passwordsAreSecretsAndLocationsTypesAndTheAlgorithmAreNot() {
        assertThat(SettingsCatalog.isSecret(RegistryTls.TRUSTSTORE_PASSWORD)).isTrue();
        assertThat(SettingsCatalog.isSecret(RegistryTls.KEYSTORE_PASSWORD)).isTrue();
        assertThat(SettingsCatalog.isSecret(RegistryTls.KEY_PASSWORD)).isTrue();
        assertThat(SettingsCatalog.isSecret(RegistryTls.KEYSTORE_KEY)).as("the PEM private key").isTrue();
        for (String key : new String[] {RegistryTls.TRUSTSTORE_LOCATION, RegistryTls.TRUSTSTORE_TYPE,
            RegistryTls.KEYSTORE_LOCATION, RegistryTls.KEYSTORE_TYPE, RegistryTls.TRUSTSTORE_CERTIFICATES,
            RegistryTls.KEYSTORE_CERTIFICATE_CHAIN, RegistryTls.ENDPOINT_IDENTIFICATION_ALGORITHM}) {
            assertThat(SettingsCatalog.isSecret(key)).as(key).isFalse();
        }
        assertThat(RegistryTls.KEYS).allSatisfy(key -> assertThat(SettingsCatalog.find(key)).as(key).isPresent());
    }

    @Test
    void theSettingsCommandMasksThePasswordAndTheStartUpLogLineHasNone() {
        CliRun run = CliRun.of(env(), "settings");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains(RegistryTls.KEYSTORE_PASSWORD).contains("<secret>")
                .contains("environment EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_PASSWORD_FILE")
                .contains(pki.caPem.toString()).doesNotContain(TestPki.PASSWORD);
        // AppRuntime logs the serde configuration at start-up
        assertThat(config(env()).serde().toString()).contains(pki.clientP12.toString())
                .doesNotContain(TestPki.PASSWORD);
    }

    @Test
    void aWrongPasswordStopsTheCommandNamingTheSettingButNotThePassword() {
        Map<String, String> env = env();
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_PASSWORD_FILE", wrongPasswordFile.toString());
        CliRun run = CliRun.of(env, "schemas", "register");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("error: invalid setting " + RegistryTls.KEYSTORE_PASSWORD
                + "=<secret> (environment EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_PASSWORD_FILE): is wrong for "
                + pki.clientP12);
        assertThat(run.out() + run.err()).doesNotContain(WRONG);
    }

    @Test
    void aMissingCaFileStopsEveryRegistryCommandBeforeItConnects() {
        Map<String, String> env = env();
        Path missing = dir.resolve("no-ca.crt");
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION", missing.toString());
        env.put("EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");
        env.put("EGOI_VERIFY_ABUSE_HMAC_KEY", "an-hmac-key-of-at-least-32-bytes-0123456789");
        String[][] commands = {{"schemas", "check"}, {"schemas", "register"}, {"tail"},
            {"publish", "cancel", "-r", "r-1"}, {"run", "--role", "state"}};
        for (String[] command : commands) {
            CliRun run = CliRun.of(env, command);
            assertThat(run.exitCode()).as(String.join(" ", command) + ": " + run.err()).isEqualTo(2);
            assertThat(run.errLines()).as(String.join(" ", command)).containsExactly("error: invalid setting "
                    + RegistryTls.TRUSTSTORE_LOCATION + "='" + missing + "' (environment "
                    + "EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION): cannot be read: " + missing
                    + " (NoSuchFileException)");
        }
    }

    @Test
    void aPasswordWithoutItsStoreIsRefused() {
        Map<String, String> env = new HashMap<>(Map.of("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "https://registry:8081",
                "EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_PASSWORD_FILE", passwordFile.toString()));
        CliRun run = CliRun.of(env, "schemas", "check");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("error: invalid setting " + RegistryTls.TRUSTSTORE_PASSWORD
                + "=<secret> (environment EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_PASSWORD_FILE): is set without "
                + RegistryTls.TRUSTSTORE_LOCATION);
    }

    /** cert-manager's Secret mounted as files, each handed over with an _FILE variable. */
    private static Map<String, String> certManagerEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "https://127.0.0.1:1/apis/ccompat/v7");
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_CERTIFICATES_FILE",
                pki.certManager.resolve("ca.crt").toString());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_KEY_FILE", pki.certManager.resolve("tls.key").toString());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_CERTIFICATE_CHAIN_FILE",
                pki.certManager.resolve("tls.crt").toString());
        return env;
    }

    private static String keyLine() throws Exception {
        return Files.readAllLines(pki.certManager.resolve("tls.key")).get(1);
    }

    @Test
    void certManagersFilesReachTheRegistryClientAsValues() throws Exception {
        RegistryTls tls = config(certManagerEnv()).serde().registryTls();
        assertThat(tls.keystoreKey()).isEqualTo(Files.readString(pki.certManager.resolve("tls.key")).strip())
                .startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(tls.keystoreCertificateChain()).isEqualTo(Files.readString(pki.certManager.resolve("tls.crt"))
                .strip());
        assertThat(tls.truststoreCertificates()).isEqualTo(Files.readString(pki.certManager.resolve("ca.crt"))
                .strip());
        assertThat(tls.keystoreLocation()).isNull();
        assertThat(tls.truststoreLocation()).isNull();
        assertThat(tls.sslContext()).isPresent();
        assertThat(config(certManagerEnv()).serde().toString()).doesNotContain(keyLine()).doesNotContain("BEGIN");
    }

    @Test
    void theSettingsCommandMasksTheKeyAndShowsCertificatesByKind() throws Exception {
        Map<String, String> env = certManagerEnv();
        // a combined key-and-chain file given as the chain: accepted as in Kafka, its key never printed
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_CERTIFICATE_CHAIN_FILE", pki.clientPem.toString());
        CliRun run = CliRun.of(env, "settings");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines()).anySatisfy(line -> assertThat(line).startsWith(RegistryTls.KEYSTORE_KEY + " ")
                .contains("<secret>").contains("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_KEY_FILE"));
        assertThat(run.out().lines()).anySatisfy(line -> assertThat(line)
                .startsWith(RegistryTls.KEYSTORE_CERTIFICATE_CHAIN + " ")
                .contains("<PEM: PRIVATE KEY, CERTIFICATE x2>"));
        assertThat(run.out().lines()).anySatisfy(line -> assertThat(line)
                .startsWith(RegistryTls.TRUSTSTORE_CERTIFICATES + " ").contains("<PEM: CERTIFICATE>"));
        String clientKeyLine = Files.readAllLines(pki.clientPem).get(1);
        assertThat(run.out() + run.err()).doesNotContain(keyLine()).doesNotContain(clientKeyLine)
                .doesNotContain("BEGIN");
    }

    /** Each contradiction stops a registry command with exit 2 and one line naming the setting, never the key. */
    @Test
    void contradictoryPemValuesStopTheCommandWithOneLine() throws Exception {
        String keyEnv = "EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_KEY_FILE";
        String chainEnv = "EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_CERTIFICATE_CHAIN_FILE";
        String keyShown = RegistryTls.KEYSTORE_KEY + "=<secret> (environment " + keyEnv + "): ";

        Map<String, String> withLocation = certManagerEnv();
        withLocation.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_LOCATION", pki.clientPem.toString());
        Map<String, String> withoutChain = certManagerEnv();
        withoutChain.remove(chainEnv);
        Map<String, String> withoutKey = certManagerEnv();
        withoutKey.remove(keyEnv);
        Map<String, String> withType = certManagerEnv();
        withType.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_TYPE", "PKCS12");
        Map<String, String> withTrustLocation = certManagerEnv();
        withTrustLocation.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION", pki.caPem.toString());
        Map<String, String> otherKey = certManagerEnv();
        otherKey.put(keyEnv, pki.serverKey.toString());

        List<Map.Entry<Map<String, String>, String>> expected = new ArrayList<>();
        expected.add(Map.entry(withLocation, keyShown + "is set together with " + RegistryTls.KEYSTORE_LOCATION
                + ": give one or the other"));
        expected.add(Map.entry(withoutChain, keyShown + "is set without " + RegistryTls.KEYSTORE_CERTIFICATE_CHAIN
                + " (the key's certificate chain): give both"));
        expected.add(Map.entry(withoutKey, RegistryTls.KEYSTORE_CERTIFICATE_CHAIN + "=<PEM: CERTIFICATE> "
                + "(environment " + chainEnv + "): is set without " + RegistryTls.KEYSTORE_KEY
                + " (its private key): give both"));
        expected.add(Map.entry(withType, RegistryTls.KEYSTORE_TYPE + "='PKCS12' (environment "
                + "EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_TYPE): must be PEM (or unset) with "
                + RegistryTls.KEYSTORE_KEY + ", got PKCS12"));
        expected.add(Map.entry(withTrustLocation, RegistryTls.TRUSTSTORE_CERTIFICATES + "=<PEM: CERTIFICATE> "
                + "(environment EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_CERTIFICATES_FILE): are set together "
                + "with " + RegistryTls.TRUSTSTORE_LOCATION + ": give one or the other"));
        expected.add(Map.entry(otherKey, keyShown + "holds a private key that does not match the first certificate "
                + "of " + RegistryTls.KEYSTORE_CERTIFICATE_CHAIN + " (the key is of type EC, the certificate's of "
                + "type RSA): the chain must start with the certificate issued for this key"));
        String serverKeyLine = Files.readAllLines(pki.serverKey).get(1);
        for (Map.Entry<Map<String, String>, String> c : expected) {
            CliRun run = CliRun.of(c.getKey(), "schemas", "check");
            assertThat(run.exitCode()).as(c.getValue() + "\n" + run.err()).isEqualTo(2);
            assertThat(run.errLines()).containsExactly("error: invalid setting " + c.getValue());
            assertThat(run.out() + run.err()).doesNotContain(keyLine()).doesNotContain(serverKeyLine)
                    .doesNotContain("BEGIN");
        }
    }
}
