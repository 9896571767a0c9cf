package io.egoiverify.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.egoiverify.events.VerificationRequested;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client against a scripted loopback HTTP server: paths, caching, auth, and the error mapping. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpSchemaRegistryClientTest {
    private static final Schema SCHEMA = VerificationRequested.getClassSchema();
    private static final String SCHEMA_JSON = "{\"schema\":" + quote(SCHEMA.toString()) + "}";

    private StubRegistryServer server;

    @BeforeEach
    void start() throws Exception {
        server = new StubRegistryServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpSchemaRegistryClient client(Map<String, String> extra) {
        Map<String, Object> config = new HashMap<>(extra);
        config.put("schema.registry.url", server.url("/apis/ccompat/v7/"));
        return new HttpSchemaRegistryClient(RegistryClientConfig.from(config));
    }

    @Test
    void registersUnderAPathPrefixedUrlOnceAndThenAnswersFromCache() {
        server.answer("POST /apis/ccompat/v7/subjects/verification.requested-value/versions", 200, "{\"id\":7}");
        try (HttpSchemaRegistryClient client = client(Map.of())) {
            assertThat(client.register("verification.requested-value", SCHEMA)).isEqualTo(7);
            assertThat(client.register("verification.requested-value", SCHEMA)).isEqualTo(7);
            assertThat(client.idOf("verification.requested-value", SCHEMA)).isEqualTo(7);
            assertThat(client.byId(7)).isSameAs(SCHEMA);
        }
        assertThat(server.requests).hasSize(1);
        assertThat(server.requests.get(0).body()).contains("\"schema\"").contains("VerificationRequested");
        assertThat(server.requests.get(0).authorization()).isNull();
    }

    @Test
    void fetchesByIdOnceAndLatestWithVersion() {
        server.answer("GET /apis/ccompat/v7/schemas/ids/3", 200, SCHEMA_JSON);
        server.answer("GET /apis/ccompat/v7/subjects/s%20x/versions/latest", 200,
                "{\"subject\":\"s x\",\"version\":4,\"id\":3,\"schema\":" + quote(SCHEMA.toString()) + "}");
        try (HttpSchemaRegistryClient client = client(Map.of())) {
            assertThat(client.byId(3)).isEqualTo(SCHEMA);
            assertThat(client.byId(3)).isEqualTo(SCHEMA);
            RegisteredSchema latest = client.latest("s x");
            assertThat(latest.id()).isEqualTo(3);
            assertThat(latest.version()).isEqualTo(4);
            client.latest("s x");
        }
        assertThat(server.requests).hasSize(2);
    }

    @Test
    void sendsBasicAuthFromUserInfoAndNeverPutsItInMessages() {
        server.answer("POST /apis/ccompat/v7/subjects/t-value", 401, "{\"error_code\":40101,\"message\":\"Unauthorized\"}");
        try (HttpSchemaRegistryClient client = client(Map.of("basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "alice:s3cret"))) {
            assertThatThrownBy(() -> client.idOf("t-value", SCHEMA))
                    .isInstanceOf(RegistryAccessDeniedException.class)
                    .isInstanceOf(RegistryUnavailableException.class)
                    .hasMessageContaining("basic.auth.user.info")
                    .hasMessageNotContaining("s3cret");
            assertThat(client.toString()).doesNotContain("s3cret");
        }
        assertThat(server.requests.get(0).authorization()).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void takesCredentialsFromTheUrlWhenAskedAndStripsThemFromRequests() {
        server.answer("GET /schemas/ids/1", 200, SCHEMA_JSON);
        String url = server.url("").replace("http://", "http://bob:pw%21@");
        try (HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(RegistryClientConfig.from(Map.of(
                "schema.registry.url", url, "basic.auth.credentials.source", "URL")))) {
            client.byId(1);
            assertThat(client.toString()).doesNotContain("pw");
        }
        assertThat(server.requests.get(0).authorization()).startsWith("Basic ");
    }

    @Test
    void notFoundWithARegistryErrorCodeIsSchemaNotFoundNamingTheId() {
        server.answer("GET /apis/ccompat/v7/schemas/ids/99", 404,
                "{\"error_code\":40403,\"message\":\"Schema not found\"}");
        server.answer("GET /apis/ccompat/v7/subjects/nope/versions/latest", 404,
                "{\"error_code\":40401,\"message\":\"Subject 'nope' not found.\"}");
        try (HttpSchemaRegistryClient client = client(Map.of())) {
            assertThatThrownBy(() -> client.byId(99)).isInstanceOf(SchemaNotFoundException.class)
                    .hasMessageContaining("schema id 99").hasMessageContaining("40403");
            assertThatThrownBy(() -> client.latest("nope")).isInstanceOf(SchemaNotFoundException.class)
                    .hasMessageContaining("'nope'");
            // failures are not cached
            assertThatThrownBy(() -> client.byId(99)).isInstanceOf(SchemaNotFoundException.class);
        }
        assertThat(server.requests).hasSize(3);
    }

    @Test
    void aBare404MeansAWrongUrlNotABadRecord() {
        try (HttpSchemaRegistryClient client = client(Map.of())) {
            assertThatThrownBy(() -> client.byId(1)).isInstanceOf(RegistryUnavailableException.class)
                    .hasMessageContaining("HTTP 404");
        }
    }

    @Test
    void serverErrorsAndGarbageAreUnavailability() {
        server.answer("GET /apis/ccompat/v7/schemas/ids/1", 503, "busy");
        server.answer("GET /apis/ccompat/v7/schemas/ids/2", 200, "not json");
        server.answer("GET /apis/ccompat/v7/schemas/ids/3", 200, "{\"id\":3}");
        try (HttpSchemaRegistryClient client = client(Map.of())) {
            assertThatThrownBy(() -> client.byId(1)).isInstanceOf(RegistryUnavailableException.class)
                    .hasMessageContaining("503");
            assertThatThrownBy(() -> client.byId(2)).isInstanceOf(RegistryUnavailableException.class);
            assertThatThrownBy(() -> client.byId(3)).isInstanceOf(RegistryUnavailableException.class);
        }
    }

    @Test
    void conflictIsIncompatibleEvenWithApicuriosErrorCodeZero() {
        server.answer("POST /apis/ccompat/v7/subjects/t-value/versions", 409,
                "{\"message\":\"Incompatible artifact: t-value [AVRO]\",\"error_code\":0}");
        try (HttpSchemaRegistryClient client = client(Map.of())) {
            assertThatThrownBy(() -> client.register("t-value", SCHEMA))
                    .isInstanceOf(IncompatibleSchemaException.class)
                    .hasMessageContaining("t-value").hasMessageContaining("Incompatible artifact");
        }
    }

    @Test
    void nonAvroOrInvalidSchemasAreInvalidSchema() {
        server.answer("GET /apis/ccompat/v7/schemas/ids/1", 200, "{\"schemaType\":\"PROTOBUF\",\"schema\":\"x\"}");
        server.answer("GET /apis/ccompat/v7/schemas/ids/2", 200, "{\"schema\":\"{\\\"type\\\":\\\"nope\\\"}\"}");
        server.answer("POST /apis/ccompat/v7/subjects/t-value/versions", 422, "{\"error_code\":42201}");
        try (HttpSchemaRegistryClient client = client(Map.of())) {
            assertThatThrownBy(() -> client.byId(1)).isInstanceOf(InvalidSchemaException.class)
                    .hasMessageContaining("PROTOBUF");
            assertThatThrownBy(() -> client.byId(2)).isInstanceOf(InvalidSchemaException.class);
            assertThatThrownBy(() -> client.register("t-value", SCHEMA)).isInstanceOf(InvalidSchemaException.class);
        }
    }

    @Test
    void connectionRefusedIsUnavailableAndAllUrlsAreTried() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        server.answer("GET /schemas/ids/1", 200, SCHEMA_JSON);
        try (HttpSchemaRegistryClient down = new HttpSchemaRegistryClient(RegistryClientConfig.of(
                "http://127.0.0.1:" + closedPort))) {
            assertThatThrownBy(() -> down.byId(1)).isInstanceOf(RegistryUnavailableException.class)
                    .hasMessageContaining("cannot be reached").hasMessageContaining("schema id 1");
        }
        try (HttpSchemaRegistryClient failover = new HttpSchemaRegistryClient(RegistryClientConfig.of(
                "http://127.0.0.1:" + closedPort + "," + server.url("")))) {
            assertThat(failover.byId(1)).isEqualTo(SCHEMA);
        }
    }

    @Test
    void aHungRegistryTimesOutAsUnavailable() {
        server.answerSlowly("GET /apis/ccompat/v7/schemas/ids/1", 3_000);
        try (HttpSchemaRegistryClient client = client(Map.of("http.read.timeout.ms", "300"))) {
            assertThatThrownBy(() -> client.byId(1)).isInstanceOf(RegistryUnavailableException.class);
        }
    }

    @Test
    void rejectsBadConfiguration() {
        assertThatThrownBy(() -> RegistryClientConfig.from(Map.of())).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> RegistryClientConfig.of("ftp://x")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> RegistryClientConfig.from(Map.of("schema.registry.url", "http://x",
                "basic.auth.credentials.source", "SASL_INHERIT"))).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> RegistryClientConfig.from(Map.of("schema.registry.url", "http://x",
                "basic.auth.user.info", "nocolon"))).isInstanceOf(ConfigException.class)
                .hasMessageNotContaining("nocolon");
    }

    /** The source is read case-blind in any default locale: in Turkish, "user_info" upper-cased is "USER_İNFO". */
    @Test
    void theCredentialsSourceIsReadTheSameInATurkishLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
        try {
            assertThat(RegistryClientConfig.from(Map.of("schema.registry.url", "http://x",
                    "basic.auth.credentials.source", "user_info", "basic.auth.user.info", "u:p")).basicAuthUserInfo())
                    .isEqualTo("u:p");
            assertThat(RegistryClientConfig.from(Map.of("schema.registry.url", "http://u:p@x",
                    "basic.auth.credentials.source", "url")).basicAuthUserInfo()).isEqualTo("u:p");
        } finally {
            Locale.setDefault(before);
        }
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
