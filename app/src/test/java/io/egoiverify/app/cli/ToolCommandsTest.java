package io.egoiverify.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.egoiverify.app.CliRun;
import io.egoiverify.app.dev.EmbeddedKafka;
import io.egoiverify.schemas.topics.TopicNames;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code schemas register|check}, {@code sandbox} and {@code settings}, in-process. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ToolCommandsTest {

    /** Every topic's subject but the dead-letter topic's (raw bytes): a topic added later cannot be forgotten. */
    private static List<String> avroSubjects() {
        TopicNames names = TopicNames.defaults();
        return names.all().values().stream().filter(t -> !t.equals(names.deadLetter())).map(t -> t + "-value")
                .toList();
    }

    @Test
    void schemasCheckFindsThemMissingThenRegisterMakesThemCompatible() {
        List<String> subjects = avroSubjects();
        assertThat(subjects).hasSize(13).contains("verification.resend-requested-value",
                "verification.resend-rejected-value");
        Map<String, String> env = Map.of("EGOI_VERIFY_SCHEMA_REGISTRY_URL", "mock://schemas-" + UUID.randomUUID());
        CliRun before = CliRun.of(env, "schemas", "check");
        assertThat(before.exitCode()).isEqualTo(1);
        assertThat(before.out()).contains("verification.requested-value").contains("MISSING")
                .contains(subjects.size() + " subject(s) not compatible or missing");

        CliRun register = CliRun.of(env, "schemas", "register");
        assertThat(register.exitCode()).as(register.err()).isZero();
        assertThat(register.out().lines()).hasSize(subjects.size());
        for (String subject : subjects) {
            assertThat(register.out()).contains(subject);
        }

        CliRun after = CliRun.of(env, "schemas", "check");
        assertThat(after.exitCode()).as(after.out()).isZero();
        assertThat(after.out()).contains("OK (identical to v1)").contains("all compatible");
    }

    @Test
    void schemasNeedARegistry() {
        CliRun run = CliRun.of(Map.of(), "schemas", "check");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString().contains("missing setting schema.registry.url");
    }

    @Test
    void sandboxServesTheOutboxUntilStopped() throws Exception {
        int port = EmbeddedKafka.freePort();
        CompletableFuture<Void> stop = new CompletableFuture<>();
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.of(Map.of(),
                new ByteArrayInputStream(new byte[0]), stop, "sandbox", "--port", Integer.toString(port)));
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/_sandbox/outbox")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        stop.complete(null);
        CliRun done = run.get(20, TimeUnit.SECONDS);
        assertThat(done.exitCode()).isZero();
        assertThat(done.out()).contains("E-goi sandbox listening on http://127.0.0.1:" + port + "/api (egoi.api=v2)")
                .contains("http://127.0.0.1:" + port + "/api/public (egoi.api=guide)");
    }

    @Test
    void settingsShowsOriginsAndMasksSecrets() {
        CliRun run = CliRun.of(Map.of("EGOI_VERIFY_PROFILE_DEFAULT_API_KEY", "very-secret-key"), "settings",
                "--set", "ops.port=9999");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("profile.default.api-key").contains("<secret>")
                .doesNotContain("very-secret-key").containsPattern("ops.port\\s+'9999'\\s+command line");
    }

    @Test
    void settingsMasksEveryKafkaPropertyKafkaTypesAsAPassword() {
        CliRun run = CliRun.of(Map.of(), "settings",
                "--set", "kafka.sasl.oauthbearer.assertion.private.key.passphrase=hunter2-passphrase",
                "--set", "kafka.ssl.key.password=hunter2-key-password",
                "--set", "kafka.ssl.truststore.password=hunter2-truststore",
                "--set", "kafka.ssl.keystore.key=hunter2-pem-key",
                "--set", "kafka.client.id=visible-client-id");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).doesNotContain("hunter2").contains("visible-client-id")
                .containsPattern("kafka.sasl.oauthbearer.assertion.private.key.passphrase\\s+<secret>");
    }

    @Test
    void settingsCheckRefusesABadValueThatRunWouldRefuseAndAcceptsWhatRunWouldAccept() {
        Map<String, String> env = Map.of("EGOI_VERIFY_KAFKA_BOOTSTRAP_SERVERS", "b:9092",
                "EGOI_VERIFY_SCHEMA_REGISTRY_URL", "http://r:8081", "EGOI_VERIFY_OPS_PORT", "eighty",
                "EGOI_VERIFY_ABUSE_HMAC_KEY", "an-hmac-key-of-at-least-32-bytes-0123456789");

        CliRun namesOnly = CliRun.of(env, "settings");
        CliRun checked = CliRun.of(env, "settings", "--check", "--role", "state");
        CliRun run = CliRun.of(env, "run", "--role", "state");

        assertThat(namesOnly.exitCode()).as("names only").isZero();
        assertThat(checked.exitCode()).as(checked.out()).isEqualTo(2);
        assertThat(checked.err()).contains("ops.port").contains("eighty");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo(checked.err());

        CliRun fixed = CliRun.of(env, "settings", "--check", "--role", "state", "--set", "ops.port=8080");
        assertThat(fixed.exitCode()).as(fixed.err()).isZero();
        assertThat(fixed.out()).contains("ok: `run --role state` would accept these settings");
    }
}
