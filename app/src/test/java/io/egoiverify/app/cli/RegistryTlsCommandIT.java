package io.egoiverify.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.egoiverify.app.CliRun;
import io.egoiverify.testing.SchemaRegistryProcess;
import io.egoiverify.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service itself against a registry that requires mutual TLS with a private CA: {@code egoi-verify schemas
 * register} and {@code schemas check} with the settings as an operator passes them (environment variables, the CA as
 * a PEM file, the client key store's password from a {@code _FILE}; or cert-manager's Secret as mounted, each of its
 * three files handed over with a {@code _FILE} variable).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RegistryTlsCommandIT {
    @TempDir
    static Path dir;
    static TestPki pki;
    static SchemaRegistryProcess registry;
    static Path passwordFile;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir);
        passwordFile = Files.writeString(dir.resolve("keystore-password"), TestPki.PASSWORD + "\n");
        registry = SchemaRegistryProcess.startHttps(pki, true);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", registry.httpsUrl());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION", pki.caPem.toString());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_LOCATION", pki.clientP12.toString());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_PASSWORD_FILE", passwordFile.toString());
        return env;
    }

    @Test
    void schemasRegisterAndCheckOverMutualTls() {
        CliRun register = CliRun.of(env(), "schemas", "register");
        assertThat(register.exitCode()).as(register.err()).isZero();
        assertThat(register.out().lines()).hasSize(13)
                .allSatisfy(line -> assertThat(line).matches(".*-value +id \\d+"));
        CliRun check = CliRun.of(env(), "schemas", "check");
        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(check.out()).contains("all compatible");
        assertThat(register.out() + register.err() + check.out() + check.err()).doesNotContain(TestPki.PASSWORD);
    }

    @Test
    void withoutTheClientCertificateTheRegistryRefusesTheCommand() {
        Map<String, String> env = env();
        env.remove("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_LOCATION");
        env.remove("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_PASSWORD_FILE");
        CliRun run = CliRun.of(env, "schemas", "check");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("schema registry cannot be reached")
                .contains("TLS: check schema.registry.ssl.truststore.location");
    }

    @Test
    void withoutTheCaTheRegistryIsNotTrusted() {
        Map<String, String> env = env();
        env.remove("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION");
        CliRun run = CliRun.of(env, "schemas", "check");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("PKIX path building failed");
    }

    /**
     * cert-manager's Secret mounted at a directory: {@code tls.key} (an RSA key in PKCS#1, cert-manager's default
     * encoding), {@code tls.crt} and {@code ca.crt}, given as they are through the value settings' {@code _FILE}s.
     */
    @Test
    void schemasRegisterAndCheckWithCertManagersSecretFiles() throws Exception {
        Path secret = pki.certManager;
        assertThat(Files.readString(secret.resolve("tls.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_URL", registry.httpsUrl());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_KEY_FILE", secret.resolve("tls.key").toString());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_KEYSTORE_CERTIFICATE_CHAIN_FILE",
                secret.resolve("tls.crt").toString());
        env.put("EGOI_VERIFY_SCHEMA_REGISTRY_SSL_TRUSTSTORE_CERTIFICATES_FILE", secret.resolve("ca.crt").toString());
        CliRun register = CliRun.of(env, "schemas", "register");
        assertThat(register.exitCode()).as(register.err()).isZero();
        assertThat(register.out().lines()).hasSize(13)
                .allSatisfy(line -> assertThat(line).matches(".*-value +id \\d+"));
        CliRun check = CliRun.of(env, "schemas", "check");
        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(check.out()).contains("all compatible");
        String keyLine = Files.readAllLines(secret.resolve("tls.key")).get(1);
        assertThat(register.out() + register.err() + check.out() + check.err()).doesNotContain(keyLine)
                .doesNotContain("BEGIN");
    }
}
