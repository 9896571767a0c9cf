package io.egoiverify.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.app.CliRun;
import io.egoiverify.schemas.registry.RegistryTls;
import io.egoiverify.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
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
        for (String key : new String[] {RegistryTls.TRUSTSTORE_LOCATION, RegistryTls.TRUSTSTORE_TYPE,
            RegistryTls.KEYSTORE_LOCATION, RegistryTls.KEYSTORE_TYPE,
            RegistryTls.ENDPOINT_IDENTIFICATION_ALGORITHM}) {
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
}
