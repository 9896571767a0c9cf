package io.egoiverify.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.app.CliRun;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The status query's settings: defaults, the advertised address, the token (a secret, also from a file). */
@Timeout(30)
class QuerySettingsTest {
    private static final String TOKEN = "a-query-token-0123456789";

    private static QueryConfig load(Map<String, String> env, Map<String, String> flags) {
        return AppConfig.from(SettingsLoader.load(null, env, flags), Mode.QUERY).query();
    }

    @Test
    void defaultsAdvertiseTheOperationsAddressAndNeedNoToken() {
        QueryConfig q = load(Map.of(), Map.of());
        assertThat(q.advertisedHost()).isEqualTo("127.0.0.1");
        assertThat(q.advertisedPort(8080)).isEqualTo(8080);
        assertThat(q.forwardTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(q.authToken()).isNull();
        assertThat(q.url()).isEqualTo(URI.create("http://127.0.0.1:8080"));
    }

    @Test
    void aWildcardBindAdvertisesAnAddressPeersCanCallUnlessOneIsGiven() {
        QueryConfig wildcard = load(Map.of("EGOI_VERIFY_OPS_HOST", "0.0.0.0"), Map.of());
        assertThat(wildcard.advertisedHost()).isNotEqualTo("0.0.0.0").isNotBlank();
        QueryConfig given = load(Map.of("EGOI_VERIFY_OPS_HOST", "0.0.0.0", "EGOI_VERIFY_OPS_ADVERTISED_HOST",
                "state-1.state.svc", "EGOI_VERIFY_OPS_ADVERTISED_PORT", "18080"), Map.of());
        assertThat(given.advertisedHost()).isEqualTo("state-1.state.svc");
        assertThat(given.advertisedPort(8080)).isEqualTo(18080);
    }

    @Test
    void aLoopbackAdvertisedHostIsRecognisedWithoutDns() {
        for (String loopback : new String[] {"localhost", "127.0.0.1", "127.0.1.1", "::1", "LOCALHOST"}) {
            assertThat(load(Map.of(), Map.of("ops.host", loopback)).advertisesLoopback()).as(loopback).isTrue();
        }
        for (String reachable : new String[] {"10.0.0.7", "egoi-verify-lifecycle-0.egoi-verify-lifecycle.svc",
                "127.example.com", "1127.0.0.1"}) {
            assertThat(load(Map.of(), Map.of("ops.advertised-host", reachable)).advertisesLoopback()).as(reachable)
                    .isFalse();
        }
    }

    @Test
    void theTokenIsASecretReadFromAFileToo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, TOKEN + "\n", StandardCharsets.UTF_8);
        assertThat(load(Map.of("EGOI_VERIFY_QUERY_AUTH_TOKEN_FILE", file.toString()), Map.of()).authToken())
                .isEqualTo(TOKEN);
        assertThat(SettingsCatalog.isSecret("query.auth-token")).isTrue();
        assertThat(load(Map.of("EGOI_VERIFY_QUERY_AUTH_TOKEN", TOKEN), Map.of()).toString()).doesNotContain(TOKEN);
    }

    @Test
    void aSecondTokenForRotationsIsASecretTooAndNeedsTheFirst(@TempDir Path dir) throws Exception {
        String next = "the-next-query-token-9876543210";
        Path file = dir.resolve("second");
        Files.writeString(file, next + "\n", StandardCharsets.UTF_8);
        QueryConfig both = load(Map.of("EGOI_VERIFY_QUERY_AUTH_TOKEN", TOKEN,
                "EGOI_VERIFY_QUERY_SECOND_AUTH_TOKEN_FILE", file.toString()), Map.of());
        assertThat(both.authToken()).isEqualTo(TOKEN);
        assertThat(both.secondAuthToken()).isEqualTo(next);
        assertThat(both.toString()).doesNotContain(TOKEN).doesNotContain(next);
        assertThat(SettingsCatalog.isSecret("query.second-auth-token")).isTrue();
        assertThat(load(Map.of(), Map.of()).secondAuthToken()).isNull();

        assertThatThrownBy(() -> load(Map.of("EGOI_VERIFY_QUERY_SECOND_AUTH_TOKEN", next), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("query.second-auth-token")
                .hasMessageContaining("needs query.auth-token").message().doesNotContain(next);
        assertThatThrownBy(() -> load(Map.of("EGOI_VERIFY_QUERY_AUTH_TOKEN", TOKEN,
                "EGOI_VERIFY_QUERY_SECOND_AUTH_TOKEN", "short secret"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("query.second-auth-token")
                .hasMessageContaining("16 to 512 visible ASCII").message().doesNotContain("short secret");
    }

    @Test
    void misconfigurationsAreOneLineAndNeverEchoTheToken() {
        Map<String, String> env = new HashMap<>();
        env.put("EGOI_VERIFY_QUERY_AUTH_TOKEN", "short secret");
        CliRun run = CliRun.of(env, "status", "r-1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.err()).contains("query.auth-token", "16 to 512 visible ASCII").doesNotContain("short secret");

        assertThatThrownBy(() -> load(Map.of("EGOI_VERIFY_OPS_ADVERTISED_HOST", "0.0.0.0"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ops.advertised-host");
        assertThatThrownBy(() -> load(Map.of("EGOI_VERIFY_QUERY_FORWARD_TIMEOUT", "1m"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("query.forward-timeout");
        assertThatThrownBy(() -> load(Map.of("EGOI_VERIFY_QUERY_URL", "ftp://x"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("query.url");
        CliRun badId = CliRun.of(Map.of(), "status", "not a valid id");
        assertThat(badId.exitCode()).isEqualTo(2);
        assertThat(badId.err()).contains("invalid requestId");
    }

    @Test
    void theStatusCommandNeedsNeitherKafkaNorARegistry() {
        CliRun run = CliRun.of(Map.of(), "status", "--url", "http://127.0.0.1:1", "r-1");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.err()).contains("no answer from http://127.0.0.1:1");
    }
}
